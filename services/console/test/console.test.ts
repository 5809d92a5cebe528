import { randomUUID } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { withConnection } from '@microshop/chassis/internal'
import { waitFor } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { promtoolCheck } from '../../../test-support/promtool.js'
import { metricValue, startTestConsole, type TestConsole } from './console.js'
import { logsJson, newSpanId, newTraceId, tracesJson } from './fixtures.js'
import {
  exportWithOfficialExporter,
  logsProtobuf,
  makeLogs,
  makeMetrics,
  makeTrace,
  logsJson as sdkLogsJson,
  tracesJson as sdkTracesJson,
  tracesProtobuf,
} from './official-sdk.js'

// The console through its HTTP API: what the official OpenTelemetry SDK sends, what garbage gets back, the
// queries over what was kept, live log follow and Prometheus service discovery from a real registry.

const BODY_LIMIT = 64 * 1024
let console_: TestConsole

beforeAll(async () => {
  console_ = await startTestConsole({ CONSOLE_MAX_BODY_BYTES: String(BODY_LIMIT) })
})
afterAll(() => console_?.stop())

interface TraceSummary {
  traceId: string
  rootService: string
  rootOperation: string
  durationMs: number
  spanCount: number
  services: string[]
  error: boolean
}
interface Span {
  spanId: string
  parentSpanId: string | null
  name: string
  service: string
  instance: string | null
  status: { code: string; message: string }
  attributes: Record<string, unknown>
  events: { name: string; attributes: Record<string, unknown> }[]
}
interface Log {
  service: string
  level: string
  message: string
  traceId: string | null
  spanId: string | null
  attributes: Record<string, unknown>
}
interface Problem {
  status: number
  code: string
  detail: string
  errors?: { field: string; message: string }[]
}

const traces = async (query: string) =>
  (await console_.get<{ items: TraceSummary[] }>(`/api/traces?${query}`)).body.items
const logs = async (query: string) => (await console_.get<{ items: Log[] }>(`/api/logs?${query}`)).body.items
const trace = (id: string) => console_.get<TraceSummary & { spans: Span[] }>(`/api/traces/${id}`)
const ownMetrics = async () => (await fetch(`${console_.httpUrl}/metrics`)).text()
const protobuf = { 'content-type': 'application/x-protobuf' }

async function expectProblem(res: Response, status: number, code: string): Promise<Problem> {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  const body = (await res.json()) as Problem
  expect({ status: res.status, code: body.code }).toEqual({ status, code })
  expect(body.status).toBe(status)
  return body
}

describe('the receiver, fed by the official SDK', () => {
  it('when the official protobuf exporter sends a trace, then it is accepted and kept whole', async () => {
    const orderId = randomUUID()
    const made = await makeTrace('orders', orderId)
    expect(await exportWithOfficialExporter(`${console_.base}/v1/traces`, made.spans)).toBe('success')

    const [found, ...more] = await traces(`orderId=${orderId}`)
    expect(more).toEqual([])
    expect(found).toMatchObject({
      traceId: made.traceId,
      rootService: 'orders',
      rootOperation: 'POST /api/orders',
      spanCount: 2,
      services: ['orders'],
      error: true,
    })
    const whole = await trace(made.traceId)
    expect(whole.status).toBe(200)
    const [root, child] = whole.body.spans
    expect(root).toMatchObject({
      spanId: made.rootSpanId,
      parentSpanId: null,
      instance: 'orders-7',
      attributes: { 'order.id': orderId, 'http.route': '/api/orders' },
    })
    expect(child).toMatchObject({
      spanId: made.childSpanId,
      parentSpanId: made.rootSpanId,
      name: 'orders.v1.OrdersService/PlaceOrder',
      status: { code: 'error', message: 'out of stock' },
      events: [{ name: 'reserved', attributes: { items: 2 } }],
    })
  })

  it('when the exporter gzips its requests, then they are accepted too', async () => {
    const orderId = randomUUID()
    const made = await makeTrace('payments', orderId)
    expect(await exportWithOfficialExporter(`${console_.base}/v1/traces`, made.spans, { gzip: true })).toBe(
      'success',
    )
    expect((await traces(`orderId=${orderId}`)).map((t) => t.traceId)).toEqual([made.traceId])
  })

  it('when the SDK’s spans come as OTLP/JSON, then they read the same as in protobuf', async () => {
    const made = await makeTrace('shipping', randomUUID())
    const res = await console_.post('/v1/traces', sdkTracesJson(made.spans))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({})
    const whole = await trace(made.traceId)
    expect(whole.body.spans.map((s) => [s.spanId, s.parentSpanId])).toEqual([
      [made.rootSpanId, null],
      [made.childSpanId, made.rootSpanId],
    ])
  })

  it('when the SDK’s log records come, in protobuf and in JSON, then each is kept with its trace ids', async () => {
    const inTrace = { traceId: newTraceId(), spanId: newSpanId() }
    const service = `inventory-${randomUUID().slice(0, 8)}`
    const records = await makeLogs(service, inTrace)
    const res = await console_.post('/v1/logs', logsProtobuf(records), protobuf)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-protobuf')
    expect((await res.arrayBuffer()).byteLength).toBe(0)
    expect((await console_.post('/v1/logs', sdkLogsJson(records))).status).toBe(200)

    const inThatTrace = await logs(`traceId=${inTrace.traceId}`)
    expect(inThatTrace).toHaveLength(2)
    for (const line of inThatTrace)
      expect(line).toMatchObject({
        service,
        level: 'warn',
        message: 'stock is low',
        spanId: inTrace.spanId,
        attributes: { productId: 'enamel-camp-mug' },
      })
    const structured = await logs(`service=${service}&level=info&q=structured`)
    expect(structured.map((l) => [l.level, JSON.parse(l.message)])).toEqual([
      ['info', { msg: 'structured', n: 1 }],
      ['info', { msg: 'structured', n: 1 }],
    ])
  })

  it('when the SDK’s metrics come, then the latest of each is kept by service', async () => {
    const service = `fraud-${randomUUID().slice(0, 8)}`
    expect((await console_.post('/v1/metrics', await makeMetrics(service), protobuf)).status).toBe(200)
    const { body } = await console_.get<{ items: { name: string; type: string; latest: number | null }[] }>(
      `/api/metrics?service=${service}`,
    )
    expect(body.items.map((m) => [m.name, m.type, m.latest]).sort()).toEqual([
      ['checkout_seconds', 'histogram', null],
      ['orders_placed', 'sum', 3],
      ['queue_depth', 'gauge', 42],
    ])
  })
})

describe('the receiver, fed garbage', () => {
  const requests = async (outcome: string) =>
    metricValue(await ownMetrics(), 'console_otlp_requests_total', { signal: 'traces', outcome })

  it('when protobuf is malformed, then 400 names where, nothing is kept, and it is counted once', async () => {
    const before = await requests('malformed')
    const valid = tracesProtobuf((await makeTrace('cart', randomUUID())).spans)
    const cut = valid.slice(0, valid.length - 3)
    const res = await console_.post('/v1/traces', cut, protobuf)
    const problem = await expectProblem(res, 400, 'CONSOLE_MALFORMED_PROTOBUF')
    expect(problem.detail).toMatch(/^not a valid ExportTraceServiceRequest: resource_spans/)
    expect(await requests('malformed')).toBe(before + 1)
    expect(await traces('service=cart')).toEqual([])
  })

  it('when JSON is malformed or of the wrong shape, then 400 gives the reason', async () => {
    await expectProblem(await console_.post('/v1/logs', '{"resourceLogs": ['), 400, 'CONSOLE_MALFORMED_JSON')
    const wrongShape = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'zz' }] }] }] })
    const problem = await expectProblem(
      await console_.post('/v1/traces', wrongShape),
      400,
      'CONSOLE_MALFORMED_JSON',
    )
    expect(problem.detail).toContain('resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex')
  })

  it('when the body is over the limit, sent as is or gzipped, then 413', async () => {
    const before = await requests('too_large')
    const big = JSON.stringify({ resourceSpans: [], padding: 'x'.repeat(BODY_LIMIT) })
    await expectProblem(await console_.post('/v1/traces', big), 413, 'CONSOLE_BODY_TOO_LARGE')
    const bomb = gzipSync(big)
    expect(bomb.length).toBeLessThan(BODY_LIMIT)
    await expectProblem(
      await console_.post('/v1/traces', bomb, { 'content-encoding': 'gzip' }),
      413,
      'CONSOLE_BODY_TOO_LARGE',
    )
    expect(await requests('too_large')).toBe(before + 2)
  })

  it('when gzip is broken, the media type unknown or the path unknown, then 400, 415 and 404', async () => {
    await expectProblem(
      await console_.post('/v1/traces', 'not gzip', { 'content-encoding': 'gzip' }),
      400,
      'CONSOLE_MALFORMED_GZIP',
    )
    await expectProblem(
      await console_.post('/v1/traces', 'x', { 'content-type': 'text/plain' }),
      415,
      'CONSOLE_UNSUPPORTED_MEDIA_TYPE',
    )
    await expectProblem(
      await console_.post('/v1/traces', '{}', { 'content-encoding': 'br' }),
      415,
      'CONSOLE_UNSUPPORTED_ENCODING',
    )
    await expectProblem(await console_.post('/v1/spans', '{}'), 404, 'ROUTE_NOT_FOUND')
    await expectProblem(await fetch(`${console_.base}/v1/traces`), 404, 'ROUTE_NOT_FOUND')
  })

  it('when garbage came, then the receiver still accepts the next good request', async () => {
    const made = await makeTrace('identity', randomUUID())
    expect((await console_.post('/v1/traces', tracesProtobuf(made.spans), protobuf)).status).toBe(200)
    expect((await trace(made.traceId)).status).toBe(200)
  })
})

describe('trace queries', () => {
  const orderId = randomUUID()
  const tag = randomUUID().slice(0, 8)
  const checkout = newTraceId()
  const browse = newTraceId()
  const t0 = Date.now() - 60_000
  const root = newSpanId()

  beforeAll(async () => {
    const body = tracesJson([
      {
        traceId: checkout,
        spanId: root,
        service: `gateway-${tag}`,
        name: 'POST /api/orders',
        startMs: t0,
        durationMs: 150,
      },
      {
        traceId: checkout,
        spanId: newSpanId(),
        parentSpanId: root,
        service: `orders-${tag}`,
        name: 'orders.v1.OrdersService/PlaceOrder',
        startMs: t0 + 5,
        durationMs: 100,
        attributes: { 'order.id': orderId },
      },
      {
        traceId: checkout,
        spanId: newSpanId(),
        parentSpanId: root,
        service: `payments-${tag}`,
        name: 'payments.v1.PaymentsService/Authorize',
        startMs: t0 + 20,
        durationMs: 30,
        error: true,
      },
      {
        traceId: browse,
        spanId: newSpanId(),
        service: `gateway-${tag}`,
        name: `GET /api/products/${tag}`,
        startMs: t0 + 1_000,
        durationMs: 4,
      },
    ])
    expect((await console_.post('/v1/traces', body)).status).toBe(200)
  })

  const ids = async (query: string) => (await traces(query)).map((t) => t.traceId)

  it('when asked by service, operation, duration, error or order id, then each criterion picks its traces', async () => {
    expect(await ids(`service=gateway-${tag}`)).toEqual([browse, checkout])
    expect(await ids(`service=payments-${tag}`)).toEqual([checkout])
    expect(await ids(`operation=${encodeURIComponent(`GET /api/products/${tag}`)}`)).toEqual([browse])
    expect(await ids(`service=gateway-${tag}&minDurationMs=100`)).toEqual([checkout])
    expect(await ids(`service=gateway-${tag}&error=true`)).toEqual([checkout])
    expect(await ids(`orderId=${orderId}`)).toEqual([checkout])
    expect(await ids(`service=gateway-${tag}&limit=1`)).toEqual([browse])
    expect(await ids(`service=gateway-${tag}&from=${new Date(t0 + 500).toISOString()}`)).toEqual([browse])
  })

  it('when a trace is asked for whole, then its summary and its spans by start time come back', async () => {
    const { status, body } = await trace(checkout)
    expect(status).toBe(200)
    expect(body).toMatchObject({
      rootService: `gateway-${tag}`,
      rootOperation: 'POST /api/orders',
      durationMs: 150,
      spanCount: 3,
      error: true,
    })
    expect(body.spans.map((s) => s.service)).toEqual([`gateway-${tag}`, `orders-${tag}`, `payments-${tag}`])
  })

  it('when a trace is unknown or a query wrong, then 404 and 400 name the problem', async () => {
    await expectProblem(
      await fetch(`${console_.base}/api/traces/${newTraceId()}`),
      404,
      'CONSOLE_TRACE_NOT_FOUND',
    )
    await expectProblem(await fetch(`${console_.base}/api/traces/not-an-id`), 400, 'CONSOLE_INVALID_QUERY')
    const problem = await expectProblem(
      await fetch(`${console_.base}/api/traces?minDurationMs=soon&colour=red`),
      400,
      'CONSOLE_INVALID_QUERY',
    )
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(['colour', 'minDurationMs'])
  })
})

describe('log queries', () => {
  const tag = randomUUID().slice(0, 8)
  const traceId = newTraceId()
  const t0 = Date.now() - 60_000

  beforeAll(async () => {
    const body = logsJson([
      {
        service: `orders-${tag}`,
        timeMs: t0,
        severityNumber: 9,
        message: 'order placed',
        traceId,
        spanId: newSpanId(),
      },
      {
        service: `orders-${tag}`,
        timeMs: t0 + 10,
        severityNumber: 13,
        message: 'payment slow',
        attributes: { peer: 'payments' },
      },
      {
        service: `payments-${tag}`,
        timeMs: t0 + 20,
        severityNumber: 17,
        message: 'card declined',
        traceId,
        spanId: newSpanId(),
      },
    ])
    expect((await console_.post('/v1/logs', body)).status).toBe(200)
  })

  const messages = async (query: string) => (await logs(query)).map((l) => l.message)

  it('when asked by service, level, trace id, text or time, then each criterion picks its lines, oldest first', async () => {
    expect(await messages(`service=orders-${tag}`)).toEqual(['order placed', 'payment slow'])
    expect(await messages(`service=orders-${tag}&level=warn`)).toEqual(['payment slow'])
    expect(await messages(`traceId=${traceId}`)).toEqual(['order placed', 'card declined'])
    expect(await messages(`q=${tag}`)).toEqual([])
    expect(await messages(`service=orders-${tag}&q=PAYMENTS`)).toEqual(['payment slow'])
    expect(await messages(`traceId=${traceId}&from=${t0 + 5}`)).toEqual(['card declined'])
    expect(await messages(`traceId=${traceId}&to=${new Date(t0 + 5).toISOString()}`)).toEqual([
      'order placed',
    ])
  })

  it('when a log query is wrong, then 400 names each parameter', async () => {
    const problem = await expectProblem(
      await fetch(`${console_.base}/api/logs?level=loud&traceId=abc`),
      400,
      'CONSOLE_INVALID_QUERY',
    )
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(['level', 'traceId'])
  })
})

/** A live log stream: its frames, read one event at a time. */
async function followLogs(query: string) {
  const abort = new AbortController()
  const res = await fetch(`${console_.base}/api/logs?follow=1&${query}`, { signal: abort.signal })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffered = ''
  return {
    /** The next `event:` frame, comments (the opening, heartbeats) skipped. */
    async next(): Promise<{ event: string; data: Log }> {
      for (;;) {
        const end = buffered.indexOf('\n\n')
        if (end >= 0) {
          const frame = buffered.slice(0, end)
          buffered = buffered.slice(end + 2)
          const event = /^event: (.*)$/m.exec(frame)?.[1]
          const data = /^data: (.*)$/m.exec(frame)?.[1]
          if (event && data) return { event, data: JSON.parse(data) as Log }
          continue
        }
        const { value, done } = await reader.read()
        if (done) throw new Error('the stream ended')
        buffered += value
      }
    },
    close: () => abort.abort(),
  }
}

describe('live log follow', () => {
  it('when following, then the recent matching lines come first and then each new matching one, no other', async () => {
    const service = `payments-${randomUUID().slice(0, 8)}`
    const line = (message: string, severityNumber: number, on = service) => ({
      service: on,
      timeMs: Date.now(),
      severityNumber,
      message,
    })
    await console_.post('/v1/logs', logsJson([line('earlier warning', 13)]))
    const stream = await followLogs(`service=${service}&level=warn`)
    try {
      expect((await stream.next()).data.message).toBe('earlier warning')
      await console_.post(
        '/v1/logs',
        logsJson([line('too quiet', 9), line('another service', 17, 'orders'), line('declined', 17)]),
      )
      // lines of one request reach a follower in order: the two before it were passed over
      const { event, data } = await stream.next()
      expect({ event, message: data.message, level: data.level }).toEqual({
        event: 'log',
        message: 'declined',
        level: 'error',
      })
    } finally {
      stream.close()
    }
  })

  it('when a follower goes away, then the console stops following it', async () => {
    const followers = async () =>
      (await console_.get<{ logFollowers: number }>('/api/stats')).body.logFollowers
    await waitFor(async () => (await followers()) === 0, { what: 'earlier followers gone' })
    const stream = await followLogs('service=nobody')
    expect(await followers()).toBe(1)
    stream.close()
    await waitFor(async () => (await followers()) === 0, { what: 'the follower gone' })
  })
})

describe('Prometheus service discovery', () => {
  it('when instances are registered, then every healthy one is a target with its service and instance labels', async () => {
    await withConnection(console_.registryUrl, async (db) => {
      await db.query(
        `insert into service_instances (instance_id, service, host, grpc_port, http_port, public_port, pid, last_seen)
         values ('catalog-1', 'catalog', '127.0.0.1', 50001, 9101, null, 1, now()),
                ('catalog-2', 'catalog', '127.0.0.1', 50002, 9102, null, 2, now()),
                ('orders-1', 'orders', '127.0.0.1', 50003, 9103, null, 3, now() - interval '1 hour')`,
      )
    })
    const { status, body, type } =
      await console_.get<{ targets: string[]; labels: Record<string, string> }[]>('/sd/prometheus')
    expect(status).toBe(200)
    expect(type).toMatch(/^application\/json/)
    const consolePort = new URL(console_.httpUrl).port
    expect(body).toEqual(
      expect.arrayContaining([
        { targets: ['127.0.0.1:9101'], labels: { service: 'catalog', instance: 'catalog-1' } },
        { targets: ['127.0.0.1:9102'], labels: { service: 'catalog', instance: 'catalog-2' } },
      ]),
    )
    expect(body.find((g) => g.labels.service === 'console')?.targets).toEqual([`127.0.0.1:${consolePort}`])
    expect(body.map((g) => g.labels.instance)).not.toContain('orders-1')
    expect(body).toHaveLength(3)
  })
})

describe('the console itself', () => {
  it('when its own /metrics is checked by promtool, then there is nothing to report', async () => {
    const text = await ownMetrics()
    expect(text).toContain('console_otlp_requests_total{')
    const { code, output } = await promtoolCheck(text)
    expect({ code, output }).toEqual({ code: 0, output: '' })
  })

  it('when told to export to an OTLP endpoint, then it still sends none of its own telemetry', async () => {
    // a second console pointed at the first: its spans and log lines would arrive there at the latest when
    // it stops, since a service flushes its telemetry on the way out
    const second = await startTestConsole({ OTEL_EXPORTER_OTLP_ENDPOINT: console_.base, LOG_LEVEL: 'info' })
    for (let i = 0; i < 3; i++) expect((await second.get('/api/stats')).status).toBe(200)
    await second.stop()
    expect(await traces('service=console')).toEqual([])
    expect(await logs('service=console')).toEqual([])
  })
})
