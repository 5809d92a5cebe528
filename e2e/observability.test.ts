import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { eventually, waitFor } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../test-support/net.js'
import { promtoolCheck } from '../test-support/promtool.js'
import { type JsonCall, jsonCall } from './http.js'
import { CLI, type Launcher, launch } from './launcher.js'
import { shopAt } from './shop.js'

// What a user sees of one checkout on the launched system: one trace across every service, the logs of that
// trace, every instance's metrics clean for promtool, and a stock Prometheus scraping them all through the
// console's service discovery.
const run = promisify(execFile)
const ADDRESS = {
  name: 'Sam Buyer',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
}
const SAGA = [
  'gateway',
  'orders',
  'identity',
  'catalog',
  'inventory',
  'payments',
  'fraud',
  'shipping',
  'notifications',
]

let dataDir: string
let port: number
let consolePort: number
let launcher: Launcher

interface Instance {
  id: string
  service: string
  httpPort: number
}
const instances = async () =>
  (JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8')) as { instances: Instance[] }).instances

const shop = <T = Record<string, unknown>>(path: string, init?: JsonCall) =>
  jsonCall<T>(`http://127.0.0.1:${port}`, path, init)
const consoleApi = <T = Record<string, unknown>>(path: string) =>
  jsonCall<T>(`http://127.0.0.1:${consolePort}`, path)
const cli = async (...args: string[]) =>
  (await run(process.execPath, [CLI, ...args, '--data-dir', dataDir], { maxBuffer: 16 * 1024 * 1024 })).stdout

interface SpanRecord {
  traceId: string
  spanId: string
  parentSpanId: string | null
  name: string
  kind: string
  service: string
  attributes: Record<string, unknown>
  links: { traceId: string; spanId: string }[]
}
interface Trace {
  traceId: string
  services: string[]
  spans: SpanRecord[]
}

/** The README's order, with a card token: resolves with its id once it is DELIVERED. */
async function placeOrder(): Promise<string> {
  const email = `watcher-${Date.now()}@example.com`
  const password = 'a-long-enough-pass-7'
  expect(
    (await shop('/api/auth/register', { method: 'POST', json: { email, password, name: 'W' } })).status,
  ).toBe(201)
  const { body: login } = await shop<{ accessToken: string }>('/api/auth/login', {
    method: 'POST',
    json: { email, password },
  })
  const token = login.accessToken
  const card = { number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' }
  const tokenised = await shop<{ token: string }>('/api/payments/tokens', {
    method: 'POST',
    token,
    json: { card },
  })
  expect(tokenised.status).toBe(201)
  const placed = await shop<{ orderId: string }>('/api/orders', {
    method: 'POST',
    token,
    headers: { 'idempotency-key': `observed-${Date.now()}` },
    json: {
      lines: [{ productId: 'enamel-camp-mug', quantity: 1 }],
      shippingAddress: ADDRESS,
      payment: { token: tokenised.body.token },
    },
  })
  expect(placed.status, JSON.stringify(placed.body)).toBe(202)
  const id = placed.body.orderId
  await eventually(
    async () => {
      const { body } = await shop<{ status: string }>(`/api/orders/${id}`, { token })
      if (body.status !== 'DELIVERED') throw new Error(`order ${id} is ${body.status}`)
    },
    { what: 'the order delivered', timeoutMs: 60_000, everyMs: 250 },
  )
  return id
}

/**
 * The trace that POST /api/orders began for the order, once it holds spans from every service of the saga,
 * the carrier's steps, and every span's parent.
 */
async function checkoutTrace(orderId: string): Promise<Trace> {
  return eventually(
    async () => {
      const { body } = await consoleApi<{ items: { traceId: string; rootOperation: string }[] }>(
        `/api/traces?orderId=${orderId}&limit=50`,
      )
      const root = body.items.find((t) => t.rootOperation === 'POST /api/orders')
      if (!root) throw new Error(`no trace of POST /api/orders for ${orderId}: ${JSON.stringify(body.items)}`)
      const { body: trace } = await consoleApi<Trace>(`/api/traces/${root.traceId}`)
      const missing = SAGA.filter((s) => !trace.services.includes(s))
      if (missing.length > 0) throw new Error(`the trace has no spans from ${missing.join(', ')} yet`)
      // spans leave each process in its own batches: wait until every parent has arrived too
      const ids = new Set(trace.spans.map((s) => s.spanId))
      const waiting = trace.spans.filter((s) => s.parentSpanId !== null && !ids.has(s.parentSpanId))
      if (waiting.length > 0) throw new Error(`${waiting.length} spans wait for their parents`)
      if (trace.spans.filter((s) => s.name === 'carrier step').length < 2)
        throw new Error('the carrier has not dispatched and delivered yet')
      return trace
    },
    { what: 'the checkout trace', timeoutMs: 30_000, everyMs: 250 },
  )
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'microshop-observe-'))
  await chmod(dataDir, 0o755)
  ;[port, consolePort] = [await freePort(), await freePort()]
  launcher = await launch(dataDir, port, {
    args: ['--replicas', 'catalog=2', '--console-port', String(consolePort)],
    env: { LOG_LEVEL: 'info', SHIPPING_TIME_SCALE: '0.1' },
  })
  await launcher.ready()
  // inventory seeds its stock from the catalog's events in the background (CI once ordered before it had)
  const shop = shopAt(() => `http://127.0.0.1:${port}`)
  await waitFor(async () => ((await shop.available('enamel-camp-mug')) ?? 0) > 0, {
    what: 'stock seeded',
    timeoutMs: 60_000,
    everyMs: 150,
  })
}, 180_000)

afterAll(async () => {
  await launcher?.stop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

describe('one checkout is one trace', () => {
  let orderId: string
  let trace: Trace

  beforeAll(async () => {
    orderId = await placeOrder()
    trace = await checkoutTrace(orderId)
  }, 120_000)

  it('when an order is placed, then one trace holds the spans of every service of its saga, the root being the gateway’s request', () => {
    const byId = new Map(trace.spans.map((s) => [s.spanId, s]))
    const roots = trace.spans.filter((s) => s.parentSpanId === null)
    expect(roots.map((s) => `${s.service} ${s.name}`)).toEqual(['gateway POST /api/orders'])
    // every span hangs from a span of the same trace: nothing is cut loose
    for (const s of trace.spans) if (s.parentSpanId !== null) expect(byId.has(s.parentSpanId)).toBe(true)
    expect(trace.spans.find((s) => s.service === 'notifications' && s.name === 'smtp send')).toBeDefined()
  })

  it('when an event crosses the bus, then its consumer span is the child of the producer span that emitted it', () => {
    const byId = new Map(trace.spans.map((s) => [s.spanId, s]))
    const consumers = trace.spans.filter((s) => s.kind === 'consumer')
    const crossing = consumers.map((s) => {
      const parent = byId.get(s.parentSpanId ?? '')
      return { consumer: s.service, event: s.name, producerKind: parent?.kind, producer: parent?.service }
    })
    expect(crossing).toContainEqual({
      consumer: 'payments',
      event: 'process orders.OrderCreated.v1',
      producerKind: 'producer',
      producer: 'orders',
    })
    for (const c of crossing) expect(c.producerKind, JSON.stringify(c)).toBe('producer')
    expect([...new Set(crossing.map((c) => c.consumer))]).toEqual(
      expect.arrayContaining(['payments', 'orders', 'inventory', 'shipping', 'notifications']),
    )
  })

  it('when the carrier moves the parcel later, then its steps continue the order’s trace', () => {
    const carrier = trace.spans.filter((s) => s.service === 'shipping' && s.name === 'carrier step')
    expect(carrier.length).toBeGreaterThanOrEqual(2)
    expect(carrier.every((s) => s.attributes['order.id'] === orderId)).toBe(true)
  })

  it('when asked for the order, then `microshop traces --order` prints the saga as one tree', async () => {
    const tree = await cli('traces', '--order', orderId)
    expect(tree).toContain(trace.traceId)
    for (const service of SAGA) expect(tree).toContain(service)
    expect(tree).toMatch(/POST \/api\/orders/)
    const json = JSON.parse(await cli('traces', '--order', orderId, '--json')) as { traceId: string }[]
    expect(json.map((t) => t.traceId)).toContain(trace.traceId)
  })

  it('when asked for the trace’s logs, then `microshop logs --trace` returns lines of at least five services, each carrying the trace id', async () => {
    const lines = await eventually(
      async () => {
        const out = await cli('logs', '--trace', trace.traceId, '--json', '--limit', '1000')
        const parsed = out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { service: string; traceId: string })
        if (new Set(parsed.map((l) => l.service)).size < 5)
          throw new Error(`lines from ${[...new Set(parsed.map((l) => l.service))].join(', ')} only`)
        return parsed
      },
      { what: 'the logs of five services', timeoutMs: 30_000, everyMs: 500 },
    )
    for (const line of lines) expect(line.traceId).toBe(trace.traceId)
  }, 60_000)
})

describe('metrics and discovery', () => {
  it('when Prometheus asks the console for targets, then every instance is listed, both catalog replicas too', async () => {
    const { status, body } =
      await consoleApi<{ targets: string[]; labels: Record<string, string> }[]>('/sd/prometheus')
    expect(status).toBe(200)
    const listed = body.map((g) => g.labels.instance).sort()
    const running = (await instances()).map((i) => i.id)
    expect(listed).toEqual(expect.arrayContaining(running.filter((id) => !id.startsWith('console'))))
    expect(body.filter((g) => g.labels.service === 'catalog')).toHaveLength(2)
    for (const g of body) expect(g.targets).toEqual([expect.stringMatching(/^[\w.-]+:\d+$/)])
  })

  it('when promtool checks every instance’s /metrics, then it finds nothing to complain about', async () => {
    for (const instance of await instances()) {
      const text = await (await fetch(`http://127.0.0.1:${instance.httpPort}/metrics`)).text()
      const checked = await promtoolCheck(text)
      expect({ instance: instance.id, ...checked }).toEqual({ instance: instance.id, code: 0, output: '' })
    }
  })

  it('when a stock Prometheus is pointed at /sd/prometheus, then it scrapes every instance with up == 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'microshop-prometheus-'))
    const promPort = await freePort()
    await writeFile(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, scrape_timeout: 1s }',
        'scrape_configs:',
        '  - job_name: microshop',
        '    http_sd_configs:',
        `      - url: http://127.0.0.1:${consolePort}/sd/prometheus`,
        '        refresh_interval: 1s',
      ].join('\n'),
    )
    const prometheus: ChildProcess = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: 'ignore' },
    )
    try {
      const expected = (await consoleApi<unknown[]>('/sd/prometheus')).body.length
      const up = await waitFor(
        async () => {
          const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=up`).catch(() => undefined)
          if (!res?.ok) return undefined
          const { data } = (await res.json()) as {
            data: { result: { metric: Record<string, string>; value: [number, string] }[] }
          }
          const healthy = data.result.filter((r) => r.value[1] === '1')
          return healthy.length >= expected ? data.result : undefined
        },
        { what: 'Prometheus scraped every target', timeoutMs: 60_000, everyMs: 500 },
      )
      expect(up.every((r) => r.value[1] === '1')).toBe(true)
      expect([...new Set(up.map((r) => r.metric.service))]).toEqual(expect.arrayContaining(SAGA))
      expect(up.filter((r) => r.metric.service === 'catalog')).toHaveLength(2)
    } finally {
      prometheus.kill('SIGTERM')
      await new Promise((resolve) =>
        prometheus.exitCode === null ? prometheus.once('exit', resolve) : resolve(0),
      )
      await rm(dir, { recursive: true, force: true })
    }
  })
})
