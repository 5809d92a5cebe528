import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAlive } from './processes.js'
import { createSupervisor, type SupervisorEvent } from './supervisor.js'
import { nodeOptionsOf, type ResolvedService } from './topology.js'

// the launcher side of the contract, against the smallest service that honours it
const FAKE_SERVICE = `
import http from 'node:http'
const server = http.createServer((req, res) => { res.statusCode = req.url === '/health/ready' ? 200 : 404; res.end() })
server.listen(0, '127.0.0.1', () => {
  const httpPort = server.address().port
  console.log(JSON.stringify({ level: 30, msg: 'up', instance: process.env.INSTANCE_ID }))
  process.send({ type: 'microshop:ready', instanceId: process.env.INSTANCE_ID, pid: process.pid, httpPort })
})
process.once('SIGTERM', () => process.exit(0))
process.once('disconnect', () => process.exit(0))
`

// one that takes a while to stop, as a service flushing its telemetry does
const SLOW_TO_STOP = FAKE_SERVICE.replace(
  "process.once('SIGTERM', () => process.exit(0))",
  "process.once('SIGTERM', () => setTimeout(() => process.exit(0), 300))",
)

let dir: string
let service: ResolvedService
let slowService: ResolvedService

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'microshop-supervisor-'))
  const entry = join(dir, 'service.mjs')
  await writeFile(entry, FAKE_SERVICE)
  service = { name: 'fake', entry, entryPath: entry, database: false, replicas: 2 }
  const slowEntry = join(dir, 'slow-service.mjs')
  await writeFile(slowEntry, SLOW_TO_STOP)
  slowService = { name: 'slow', entry: slowEntry, entryPath: slowEntry, database: false, replicas: 1 }
})

afterAll(() => rm(dir, { recursive: true, force: true }))

const start = (services = [service], stopLast: string[] = []) => {
  const events: SupervisorEvent[] = []
  const lines: string[] = []
  const supervisor = createSupervisor({
    services,
    stopLast,
    cwd: dir,
    env: (_, id) => ({ ...process.env, INSTANCE_ID: id }),
    onLine: (_, __, line) => lines.push(line),
    onEvent: (event) => events.push(event),
  })
  supervisor.start()
  return { supervisor, events, lines }
}

describe('supervisor', () => {
  it('when every replica reports ready and answers /health/ready, then the start completes', async () => {
    const { supervisor, lines } = start()
    await supervisor.waitAllReady(10_000)
    expect(supervisor.instances().map((i) => [i.id, i.status])).toEqual([
      ['fake-1', 'ready'],
      ['fake-2', 'ready'],
    ])
    expect(lines).toHaveLength(2)
    await supervisor.stop()
  })

  it('when an instance is killed with SIGKILL, then it is restarted after 0.5 s and ready again', async () => {
    const { supervisor, events } = start()
    await supervisor.waitAllReady(10_000)
    const victim = supervisor.instances()[0]!
    process.kill(victim.pid!, 'SIGKILL')
    await waitFor(() => events.some((e) => e.type === 'ready' && e.instance.restarts === 1), {
      timeoutMs: 5_000,
    })
    const exit = events.find((e) => e.type === 'exited')
    expect(exit).toMatchObject({ signal: 'SIGKILL', restartInMs: 500, instance: { id: victim.id } })
    expect(supervisor.instances()[0]!.pid).not.toBe(victim.pid)
    await supervisor.stop()
  })

  it('when an instance is started, then it runs with the V8 options its service gets, as in a container', async () => {
    const { supervisor } = start()
    await supervisor.waitAllReady(10_000)
    try {
      for (const instance of supervisor.instances()) {
        const argv = (await readFile(`/proc/${instance.pid}/cmdline`, 'utf8')).split('\0')
        expect(argv).toEqual(expect.arrayContaining([...nodeOptionsOf(instance.service)]))
      }
    } finally {
      await supervisor.stop()
    }
  })

  it('when stopped, then every instance has exited and none is restarted', async () => {
    const { supervisor, events } = start()
    await supervisor.waitAllReady(10_000)
    const pids = supervisor.instances().map((i) => i.pid!)
    await supervisor.stop()
    expect(pids.filter(isAlive)).toEqual([])
    expect(events.filter((e) => e.type === 'exited' && e.restartInMs !== undefined)).toEqual([])
  })

  it('when some services are to stop last, then they get SIGTERM only once every other instance exited', async () => {
    const { supervisor, events } = start([service, slowService], ['fake'])
    await supervisor.waitAllReady(10_000)
    await supervisor.stop()
    const exits = events.filter((e) => e.type === 'exited').map((e) => e.instance.id)
    expect(exits).toHaveLength(3)
    expect(exits[0]).toBe('slow-1')
    expect(exits.slice(1).sort()).toEqual(['fake-1', 'fake-2'])
  })
})
