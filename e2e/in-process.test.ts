import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eventually, waitFor } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topology } from '../packages/cli/src/topology.js'
import { freePort } from '../test-support/net.js'
import { processTree } from '../test-support/processes.js'
import { jsonCall } from './http.js'
import { type Launcher, launch } from './launcher.js'
import { CARDS, PAID, shopAt } from './shop.js'

// `microshop up --in-process`: the same launcher and the same services, all in one Node process, calling each
// other through the in-process transport; a checkout through the gateway still ends CONFIRMED.
const PRODUCT = 'enamel-camp-mug'
let dataDir: string
let port: number
let consolePort: number
let launcher: Launcher
const shop = shopAt(() => `http://127.0.0.1:${port}`)

interface Instance {
  id: string
  service: string
  pid: number
  grpcPort?: number
}
const instances = async () =>
  (JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8')) as { instances: Instance[] }).instances

interface SpanRecord {
  name: string
  kind: string
  service: string
  attributes: Record<string, unknown>
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'microshop-in-process-'))
  await chmod(dataDir, 0o755)
  ;[port, consolePort] = [await freePort(), await freePort()]
  launcher = await launch(dataDir, port, {
    args: ['--in-process', '--console-port', String(consolePort)],
    env: { LOG_LEVEL: 'info' },
  })
  await launcher.ready()
  // inventory seeds its stock from the catalog's events in the background
  await waitFor(async () => ((await shop.available(PRODUCT)) ?? 0) > 0, {
    what: 'stock seeded',
    timeoutMs: 60_000,
  })
}, 180_000)

afterAll(async () => {
  if (launcher?.child.exitCode === null) launcher.child.kill('SIGKILL')
  await rm(dataDir, { recursive: true, force: true })
})

describe('microshop up --in-process', () => {
  it('when it runs, then every service is in the launcher process: no child is a Node process, none listens for gRPC', async () => {
    const launcherPid = launcher.child.pid!
    const listed = await instances()
    expect(new Set(listed.map((i) => i.service))).toEqual(new Set(topology.map((s) => s.name)))
    for (const instance of listed) {
      expect(instance.pid, instance.id).toBe(launcherPid)
      expect(instance.grpcPort, instance.id).toBeUndefined()
    }
    const children = (await processTree(launcherPid)).filter((pid) => pid !== launcherPid)
    const commands = await Promise.all(
      children.map(
        async (pid) => (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')[0],
      ),
    )
    // PostgreSQL's processes are there, and nothing that runs Node
    expect(commands.some((c) => c?.endsWith('/postgres'))).toBe(true)
    expect(commands.filter((c) => c === process.execPath || c?.endsWith('/node'))).toEqual([])
  })

  it('when a buyer checks out through the gateway, then the order is CONFIRMED and the peer calls went through the in-process transport', async () => {
    const token = await shop.buyer()
    const placed = await shop.order(token, PRODUCT, CARDS.ok)
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    const orderId = placed.body.orderId
    const paid = await shop.orderOnce(token, orderId, (o) => PAID.includes(o.status))
    expect(paid.payment?.status).toBe('CAPTURED')

    // the trace of the checkout, as the console keeps it: orders' call to inventory stayed in the process
    const reserve = await eventually(
      async () => {
        const { body } = await jsonCall<{ items: { traceId: string; rootOperation: string }[] }>(
          `http://127.0.0.1:${consolePort}`,
          `/api/traces?orderId=${orderId}&limit=50`,
        )
        const root = body.items.find((t) => t.rootOperation === 'POST /api/orders')
        if (!root) throw new Error(`no trace of POST /api/orders yet: ${JSON.stringify(body.items)}`)
        const { body: trace } = await jsonCall<{ spans: SpanRecord[] }>(
          `http://127.0.0.1:${consolePort}`,
          `/api/traces/${root.traceId}`,
        )
        const calls = trace.spans.filter((s) => s.name.startsWith('microshop.inventory.v1.InventoryService/'))
        const client = calls.find((s) => s.service === 'orders' && s.kind === 'client')
        const server = calls.find((s) => s.service === 'inventory' && s.kind === 'server')
        if (!client || !server) throw new Error(`no orders → inventory call in the trace yet`)
        return { client, server }
      },
      { what: 'the orders → inventory call in the trace', timeoutMs: 30_000, everyMs: 250 },
    )
    expect(reserve.client.attributes['network.transport']).toBe('inproc')
    expect(reserve.server.attributes['network.transport']).toBe('inproc')
  })

  it('when it is stopped with Ctrl-C, then it exits 0 having stopped every service and PostgreSQL', async () => {
    expect(await launcher.stop()).toBe(0)
    expect(launcher.output).toContain('services stopped')
    expect(launcher.output).toContain('PostgreSQL stopped')
  })
})
