import { Writable } from 'node:stream'
import { events } from '@microshop/contracts/events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { busSettings, databaseSettings, defineService, readConfig } from '../src/index.js'
import { createLogger, createServiceClient, createTelemetry, formatTraceparent } from '../src/internal.js'
import { SpanKind, SpanStatusCode, type Telemetry } from '../src/telemetry.js'
import { expectFailure, silentLogger, spanCollector, staticDiscovery, waitFor } from '../src/testing.js'
import { EchoService, startEcho } from './echo-service.js'
import { serviceModule } from './service-module.js'

// Spans made at the chassis' boundaries, collected from real services over real gRPC and a real event log.

const parentOf = (span: { parentSpanContext?: { spanId: string } | undefined }) =>
  span.parentSpanContext?.spanId
const idsOf = (span: { spanContext(): { traceId: string; spanId: string } }) => span.spanContext()

const echoClient = (target: string, telemetry: Telemetry) =>
  createServiceClient({
    service: 'echo',
    definition: EchoService,
    discovery: staticDiscovery([target]),
    log: silentLogger,
    telemetry,
  })

describe('gRPC spans', () => {
  it('when a call is made inside a span, then the client span is its child, the server span the client’s, with the rpc attributes and status', async () => {
    const serverSpans = spanCollector()
    const callerSpans = spanCollector()
    const echo = await startEcho({ instanceId: 'echo-traced', spanExporter: serverSpans.exporter })
    const telemetry = createTelemetry({
      service: 'caller',
      instance: 'caller-1',
      exporter: callerSpans.exporter,
    })
    const client = echoClient(echo.target, telemetry)
    try {
      await telemetry.span('caller work', {}, async () => {
        await client.call('whoAmI', {})
        await expectFailure(
          client.call('fail', { kind: 'not_found', code: 'TEST_NONE', message: 'none here' }),
          { code: 'TEST_NONE', kind: 'not_found' },
        )
      })
    } finally {
      client.close()
      await Promise.all([echo.stop(), telemetry.shutdown(2_000)])
    }

    const root = callerSpans.one('caller work')
    const [okClient, failedClient] = [
      callerSpans.one('test.echo.v1.EchoService/WhoAmI'),
      callerSpans.one('test.echo.v1.EchoService/Fail'),
    ]
    const [okServer, failedServer] = [
      serverSpans.one('test.echo.v1.EchoService/WhoAmI'),
      serverSpans.one('test.echo.v1.EchoService/Fail'),
    ]
    for (const span of [okClient, failedClient, okServer, failedServer])
      expect(idsOf(span).traceId).toBe(idsOf(root).traceId)
    expect(parentOf(okClient)).toBe(idsOf(root).spanId)
    expect(parentOf(okServer)).toBe(idsOf(okClient).spanId)
    expect(parentOf(failedServer)).toBe(idsOf(failedClient).spanId)

    expect(okClient.kind).toBe(SpanKind.CLIENT)
    expect(okServer.kind).toBe(SpanKind.SERVER)
    expect(okClient.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.service': 'test.echo.v1.EchoService',
      'rpc.method': 'WhoAmI',
      'peer.service': 'echo',
      'rpc.grpc.status_code': 0,
    })
    expect(okServer.attributes).toMatchObject({ 'rpc.method': 'WhoAmI', 'rpc.grpc.status_code': 0 })
    // NOT_FOUND is 5: an answer, not a failure of the server's work
    expect(failedClient.attributes['rpc.grpc.status_code']).toBe(5)
    expect(failedServer.attributes).toMatchObject({ 'rpc.grpc.status_code': 5, 'error.type': 'TEST_NONE' })
    expect(failedServer.status.code).not.toBe(SpanStatusCode.ERROR)
    // the spans say which process made them
    expect(okServer.resource.attributes['service.name']).toBe('echo')
    expect(okServer.resource.attributes['service.instance.id']).toBe('echo-traced')
  })

  it('when work continues a caller’s traceparent, then the server’s span is in that trace', async () => {
    const serverSpans = spanCollector()
    const echo = await startEcho({ instanceId: 'echo-continued', spanExporter: serverSpans.exporter })
    const telemetry = createTelemetry({ service: 'caller', instance: 'caller-2' })
    const client = echoClient(echo.target, telemetry)
    const outside = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 }
    try {
      await telemetry.span('from outside', { parent: formatTraceparent(outside) }, () =>
        client.call('whoAmI', {}),
      )
    } finally {
      client.close()
      await Promise.all([echo.stop(), telemetry.shutdown(2_000)])
    }
    expect(idsOf(serverSpans.one('test.echo.v1.EchoService/WhoAmI')).traceId).toBe(outside.traceId)
  })
})

describe('log lines inside a span', () => {
  it('when a line is logged inside a span, then it carries that span’s trace_id and span_id; outside, neither', async () => {
    const lines: Array<Record<string, unknown>> = []
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)))
        done()
      },
    })
    const log = createLogger({ service: 'logs', instance: 'logs-1', level: 'info', also: sink })
    const telemetry = createTelemetry({ service: 'logs', instance: 'logs-1' })
    const ids = await telemetry.span('work', {}, async (span) => {
      log.info('inside')
      return span.spanContext()
    })
    log.info('outside')
    await telemetry.shutdown(1_000)
    await waitFor(() => lines.length >= 2)
    expect(lines.find((l) => l.msg === 'inside')).toMatchObject({
      trace_id: ids.traceId,
      span_id: ids.spanId,
    })
    expect(lines.find((l) => l.msg === 'outside')).not.toHaveProperty('trace_id')
  })
})

describe('spans of events and periodic work', () => {
  let serviceDb: TestDatabase
  let consumerDb: TestDatabase
  let busDb: TestDatabase
  let moduleUrl: string
  const settings = { ...databaseSettings, ...busSettings }
  const loadConfig = (env: Record<string, string | undefined>) => readConfig('tracing', settings, env)
  const envOf = (instance: string, databaseUrl: string) => ({
    INSTANCE_ID: instance,
    DATABASE_URL: databaseUrl,
    BUS_URL: busDb.url,
    HOST: '127.0.0.1',
    GRPC_PORT: '0',
    GRPC_INSECURE: 'true',
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
  })

  beforeAll(async () => {
    ;[serviceDb, consumerDb, busDb] = await Promise.all([
      createTestDatabase('trace_svc'),
      createTestDatabase('trace_consumer'),
      createTestDatabase('trace_bus'),
    ])
    moduleUrl = await serviceModule('tracing')
  })
  afterAll(async () => {
    await Promise.all([serviceDb?.drop(), consumerDb?.drop(), busDb?.drop()])
  })

  it('when an event is emitted inside a span, then another service’s consumer span is the child of the producer span, across the bus', async () => {
    const producerSpans = spanCollector()
    const consumerSpans = spanCollector()
    const handled: string[] = []
    let emitted: Promise<string> | undefined
    const producer = defineService({
      name: 'orders',
      module: moduleUrl,
      config: loadConfig,
      database: true,
      events: true,
      setup: ({ db, events: own, telemetry }) => {
        emitted = telemetry.span('cancel order', {}, async (span) => {
          await db.tx((tx) =>
            own.emit(tx, events.OrderCancelled, {
              orderId: 'o-traced',
              userId: 'u-1',
              email: '',
              reason: 'customer_cancelled',
              previousStatus: 0,
            }),
          )
          return span.spanContext().traceId
        })
        return {}
      },
    })
    const consumer = defineService({
      name: 'payments',
      module: moduleUrl,
      config: loadConfig,
      database: true,
      events: true,
      async setup({ events: own }) {
        await own.subscribe('tracing-payments', {
          async OrderCancelled(cancelled) {
            handled.push(cancelled.orderId)
          },
        })
        return {}
      },
    })
    const consuming = await consumer(envOf('payments-traced', consumerDb.url), {
      handleSignals: false,
      spanExporter: consumerSpans.exporter,
    })
    const producing = await producer(envOf('orders-traced', serviceDb.url), {
      handleSignals: false,
      spanExporter: producerSpans.exporter,
    })
    let traceId: string
    try {
      traceId = await emitted!
      await waitFor(() => handled.includes('o-traced'))
    } finally {
      await Promise.all([producing.stop(), consuming.stop()])
    }

    const send = producerSpans.one(`send ${events.OrderCancelled.type}`)
    const transaction = producerSpans
      .trace(traceId)
      .find((s) => s.name === 'transaction' && parentOf(send) === idsOf(s).spanId)
    expect(send.kind).toBe(SpanKind.PRODUCER)
    expect(idsOf(send).traceId).toBe(traceId)
    expect(transaction, 'the outbox append is inside the transaction that emits').toBeDefined()
    expect(send.attributes['order.id']).toBe('o-traced')

    const process = consumerSpans.one(`process ${events.OrderCancelled.type}`)
    expect(process.kind).toBe(SpanKind.CONSUMER)
    expect(idsOf(process).traceId).toBe(traceId)
    expect(parentOf(process)).toBe(idsOf(send).spanId)
    expect(process.attributes).toMatchObject({
      'messaging.consumer.group.name': 'tracing-payments',
      'messaging.destination.name': events.OrderCancelled.type,
      'order.id': 'o-traced',
    })
    // the relay's publish is its own trace, linked to every event's trace it carried
    const publish = producerSpans
      .named('publish event log')
      .find((s) => s.links.some((l) => l.context.traceId === traceId))
    expect(publish, 'a relay publish linked to the trace').toBeDefined()
    expect(parentOf(publish!)).toBeUndefined()
  })

  it('when periodic work finds nothing to do, then it leaves no trace; a run that works is a root span with its transaction inside', async () => {
    const spans = spanCollector()
    let runs = 0
    let busyRan = false
    const start = defineService({
      name: 'cart',
      module: moduleUrl,
      config: loadConfig,
      database: true,
      setup({ every, db }) {
        every({
          name: 'idle-work',
          intervalMs: 5,
          run: () => {
            runs++
            return 'idle' as const
          },
        })
        every({
          name: 'busy-work',
          intervalMs: 60_000,
          runAtStart: true,
          run: async () => {
            await db.tx((tx) => tx.query('select 1'))
            busyRan = true
            return 'done' as const
          },
        })
        return {}
      },
    })
    const running = await start(envOf('timers-traced', serviceDb.url), {
      handleSignals: false,
      spanExporter: spans.exporter,
    })
    await waitFor(() => runs >= 3 && busyRan)
    await running.stop()

    expect(spans.spans.filter((s) => s.attributes['microshop.work'] === 'idle-work')).toEqual([])
    const busy = spans.spans.filter((s) => s.attributes['microshop.work'] === 'busy-work')
    expect(busy).toHaveLength(1)
    expect(parentOf(busy[0]!)).toBeUndefined()
    const inside = spans.trace(idsOf(busy[0]!).traceId).filter((s) => s.name === 'transaction')
    expect(inside).toHaveLength(1)
    expect(parentOf(inside[0]!)).toBe(idsOf(busy[0]!).spanId)
  })
})
