import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../test-support/net.js'

// The whole system as a user runs it: the CLI boots embedded PostgreSQL and every service from dist/.
const CLI = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'microshop.js')
const run = promisify(execFile)
let dataDir: string
let port: number
let launcher: ChildProcess
let output = ''

interface State {
  launcherPid: number
  pgPid: number
  instances: { id: string; service: string; pid: number; httpPort: number; status: string }[]
}
const state = async () => JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8')) as State
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) })

/** Processes whose command line mentions the data dir (postgres) or whose group is the launcher's. */
async function leftovers(pgid: number): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,pgid=,args='])
  return stdout
    .split('\n')
    .filter((line) => line.includes(dataDir) || line.trim().split(/\s+/)[1] === String(pgid))
    .filter((line) => !line.includes('ps -eo'))
}

function up(extra: string[] = []) {
  output = ''
  const child = spawn(
    process.execPath,
    [CLI, 'up', '--data-dir', dataDir, '--port', String(port), ...extra],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'info' },
    },
  )
  child.stdout!.on('data', (d) => {
    output += d
  })
  child.stderr!.on('data', (d) => {
    output += d
  })
  return child
}

async function untilReady(child: ChildProcess) {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`launcher exited ${child.exitCode}:\n${output.slice(-3000)}`)
    if (output.includes('Ctrl-C to stop')) return
    await sleep(250)
  }
  throw new Error(`not ready in 60 s:\n${output.slice(-3000)}`)
}

async function stop(child: ChildProcess) {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  child.kill('SIGINT')
  return exited
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'microshop-e2e-'))
  await chmod(dataDir, 0o755)
  port = await freePort()
  launcher = up(['--replicas', 'catalog=2'])
  await untilReady(launcher)
}, 120_000)

afterAll(async () => {
  if (launcher?.exitCode === null) launcher.kill('SIGKILL')
  await rm(dataDir, { recursive: true, force: true })
})

describe('microshop up', () => {
  it('when the system is up, then the gateway serves the seeded products and the table lists every instance', async () => {
    const res = await get('/api/products?pageSize=50')
    expect(res.status).toBe(200)
    expect(((await res.json()) as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(40)
    expect(output).toMatch(/catalog\s+.*2/)
    expect(output).toContain(`http://localhost:${port}/api/products`)
  })

  it('when status is asked from another process, then it shows both catalog replicas healthy', async () => {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'status', '--data-dir', dataDir])
    const text = stdout + stderr
    expect(text).toContain('catalog-1')
    expect(text).toContain('catalog-2')
    expect(text).not.toMatch(/unhealthy/)
  })

  it('when the gateway is called repeatedly, then both catalog replicas serve calls', async () => {
    for (let i = 1; i <= 30; i++) expect((await get(`/api/products?pageSize=${i}`)).status).toBe(200)
    const catalogs = (await state()).instances.filter((i) => i.service === 'catalog')
    expect(catalogs).toHaveLength(2)
    for (const instance of catalogs) {
      const metrics = await (await fetch(`http://127.0.0.1:${instance.httpPort}/metrics`)).text()
      const served = [...metrics.matchAll(/^rpc_server_duration_seconds_count\{[^}]*\} (\d+)/gm)].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      )
      expect(served, instance.id).toBeGreaterThan(0)
    }
  })

  it('when a catalog process is killed with SIGKILL, then the launcher restarts it and requests keep succeeding', async () => {
    const victim = (await state()).instances.find((i) => i.id === 'catalog-1')!
    process.kill(victim.pid, 'SIGKILL')
    const started = Date.now()
    let restarted = false
    const categories = ['kitchen', 'home', 'outdoor', 'fitness']
    // uncached URLs, so every request reaches a catalog; the surviving replica answers them all
    for (let i = 0; Date.now() - started < 15_000 && !restarted; i++) {
      const res = await get(
        `/api/products?pageSize=${(i % 90) + 10}&category=${categories[i % 4]}&sort=price_desc`,
      )
      expect(res.status).toBe(200)
      const now = (await state()).instances.find((i) => i.id === 'catalog-1')
      restarted = Boolean(now && now.pid !== victim.pid && now.status === 'ready')
      await sleep(200)
    }
    expect(restarted).toBe(true)
    expect(output).toMatch(/catalog-1 exited .*SIGKILL/)
  })

  it('when stopped with Ctrl-C, then it exits 0 and leaves no process behind; a second start reuses the data', async () => {
    const pgid = launcher.pid!
    expect(await stop(launcher)).toBe(0)
    await sleep(300)
    expect(await leftovers(pgid)).toEqual([])

    launcher = up()
    await untilReady(launcher)
    expect(output).not.toContain('catalog seeded')
    expect((await get('/api/products/chefs-knife-8in')).status).toBe(200)
    const again = launcher.pid!
    expect(await stop(launcher)).toBe(0)
    await sleep(300)
    expect(await leftovers(again)).toEqual([])
  }, 120_000)
})
