import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = join(import.meta.dirname, '..', '..', '..')
const IO_PACKAGES = ['pg', '@grpc/grpc-js', 'fastify', 'pino', 'undici', '@nats-io']

/** Which of `packages` (I/O ones by default) a fresh Node process has loaded after importing these compiled modules. */
async function ioPackagesLoadedBy(files: string[], packages = IO_PACKAGES): Promise<string[]> {
  const script = `
    import { createRequire } from 'node:module'
    for (const file of ${JSON.stringify(files)}) await import(file)
    const loaded = Object.keys(createRequire(import.meta.url).cache)
    const io = ${JSON.stringify(packages)}.filter((p) => loaded.some((f) => f.includes('/node_modules/' + p + '/')))
    process.stdout.write(JSON.stringify(io))`
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root })
  return JSON.parse(stdout) as string[]
}

describe('the light entry points', () => {
  it('when @microshop/chassis/errors and /paging are imported, then no module with I/O is loaded', async () => {
    const light = ['errors', 'paging'].map((name) => join(root, 'packages/chassis/dist', `${name}.js`))
    expect(await ioPackagesLoadedBy(light)).toEqual([])
    // the control: the barrel loads them, so the check can see them
    expect(await ioPackagesLoadedBy([join(root, 'packages/chassis/dist/index.js')])).toEqual(
      expect.arrayContaining(['pg', '@grpc/grpc-js', 'fastify']),
    )
  })

  it("when every service's domain/ is imported, then no module with I/O is loaded", async () => {
    const services = join(root, 'services')
    const domainFiles = readdirSync(services).flatMap((service) => {
      const dir = join(services, service, 'dist', 'domain')
      try {
        return readdirSync(dir)
          .filter((f) => f.endsWith('.js') && !f.endsWith('.test.js'))
          .map((f) => join(dir, f))
      } catch {
        return []
      }
    })
    expect(domainFiles.length).toBeGreaterThan(20)
    expect(await ioPackagesLoadedBy(domainFiles)).toEqual([])
  })

  it("when the launcher's CLI is imported, then no tracing SDK and no HTTP server is loaded (each child has its own)", async () => {
    const sdk = ['@opentelemetry/sdk-trace', '@opentelemetry/context-async-hooks', 'fastify', 'pino']
    expect(await ioPackagesLoadedBy([join(root, 'packages/cli/dist/main.js')], sdk)).toEqual([])
    // the control: a service's entry loads them
    expect(await ioPackagesLoadedBy([join(root, 'packages/chassis/dist/service.js')], sdk)).toEqual(
      expect.arrayContaining(['@opentelemetry/sdk-trace', 'fastify']),
    )
  })
})
