import { execFile } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { eventually, waitFor } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../test-support/net.js'
import { CLI, type Launcher, launch } from './launcher.js'

// The whole system as a user runs it: the CLI boots embedded PostgreSQL and every service from dist/.
const run = promisify(execFile)
let dataDir: string
let port: number
let launcher: Launcher

interface State {
  launcherPid: number
  pgPid: number
  instances: { id: string; service: string; pid: number; httpPort: number; status: string }[]
}
const state = async () => JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8')) as State
const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) })

/** Processes whose command line mentions the data dir (postgres) or whose group is the launcher's. */
async function leftovers(pgid: number): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,pgid=,args='])
  return stdout
    .split('\n')
    .filter((line) => line.includes(dataDir) || line.trim().split(/\s+/)[1] === String(pgid))
    .filter((line) => !line.includes('ps -eo'))
}

const up = (args: string[] = []) => launch(dataDir, port, { args, env: { LOG_LEVEL: 'info' } })

/** Stops the launcher with Ctrl-C: it exits 0, and then no process of its group or of its data dir remains. */
async function stopCleanly(running: Launcher) {
  const pgid = running.child.pid!
  expect(await running.stop()).toBe(0)
  // a child may still be on its way out when the launcher's exit is seen: wait for the state, not a while
  await eventually(async () => expect(await leftovers(pgid)).toEqual([]), {
    what: 'no process left behind',
    timeoutMs: 5_000,
    everyMs: 100,
  })
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'microshop-e2e-'))
  await chmod(dataDir, 0o755)
  port = await freePort()
  launcher = await up(['--replicas', 'catalog=2'])
  await launcher.ready()
}, 150_000)

afterAll(async () => {
  if (launcher?.child.exitCode === null) launcher.child.kill('SIGKILL')
  await rm(dataDir, { recursive: true, force: true })
})

describe('microshop up', () => {
  it('when the system is up, then the gateway serves the seeded products and the table lists every instance', async () => {
    const res = await get('/api/products?pageSize=50')
    expect(res.status).toBe(200)
    expect(((await res.json()) as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(40)
    expect(launcher.output).toMatch(/catalog\s+.*2/)
    expect(launcher.output).toContain(`http://localhost:${port}/api/products`)
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
    const categories = ['kitchen', 'home', 'outdoor', 'fitness']
    const statuses: number[] = []
    // uncached URLs, so every request reaches a catalog; the surviving replica answers them all
    await waitFor(
      async () => {
        const i = statuses.length
        const res = await get(
          `/api/products?pageSize=${(i % 90) + 10}&category=${categories[i % 4]}&sort=price_desc`,
        ).catch(() => undefined)
        statuses.push(res?.status ?? 0)
        const now = (await state()).instances.find((instance) => instance.id === 'catalog-1')
        return now && now.pid !== victim.pid && now.status === 'ready'
      },
      { what: 'catalog-1 restarted', timeoutMs: 15_000, everyMs: 200 },
    )
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    expect(launcher.output).toMatch(/catalog-1 exited .*SIGKILL/)
  })

  it('when stopped with Ctrl-C, then it exits 0 and leaves no process behind; a second start reuses the data and makes its secrets private again', async () => {
    await stopCleanly(launcher)

    // opened up between two runs (a copy, a careless chmod): the next start closes them again
    await chmod(join(dataDir, 'secrets.json'), 0o644)
    await chmod(join(dataDir, 'logs'), 0o755)
    await chmod(dataDir, 0o755)
    launcher = await up()
    await launcher.ready()
    expect((await stat(join(dataDir, 'secrets.json'))).mode & 0o777).toBe(0o600)
    expect((await stat(join(dataDir, 'logs'))).mode & 0o777).toBe(0o700)
    // as root, PostgreSQL's own user passes through by its group; otherwise nobody else
    expect((await stat(dataDir)).mode & 0o777).toBe(process.getuid?.() === 0 ? 0o710 : 0o700)
    expect(launcher.output).not.toContain('catalog seeded')
    expect((await get('/api/products/chefs-knife-8in')).status).toBe(200)
    await stopCleanly(launcher)
  }, 120_000)
})
