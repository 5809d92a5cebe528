import { trace as otelTrace, ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { type ReadableSpan, TracerProvider } from '@opentelemetry/sdk-trace'
import { describe, expect, it } from 'vitest'
import { logEntry, newTraceId, spanRecord } from '../../test/fixtures.js'
import { decodeTracesProtobuf } from '../domain/otlp-protobuf.js'
import { createTelemetryStore } from './telemetry-store.js'

/** An OTLP/protobuf export of one checkout-like trace, as the official serializer writes it. */
function exportedTrace(): { body: Uint8Array; traceId: string } {
  const ended: ReadableSpan[] = []
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'service.instance.id': 'orders-2' }),
    spanProcessors: [
      {
        onStart() {},
        onEnd: (s) => void ended.push(s),
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    ],
  })
  const tracer = provider.getTracer('microshop-chassis')
  const root = tracer.startSpan('POST /api/orders', {
    kind: SpanKind.SERVER,
    attributes: { 'http.route': '/api/orders' },
  })
  const parent = otelTrace.setSpan(ROOT_CONTEXT, root)
  for (let i = 0; i < 5; i++) {
    const child = tracer.startSpan(
      `payments.v1.Payments/Step${i}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'order.id': 'ord-7', attempt: i, big: 2 ** 60, ok: i % 2 === 0 },
      },
      parent,
    )
    child.addEvent('retry', { reason: 'unavailable' })
    if (i === 3) child.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' })
    child.end()
  }
  root.end()
  return { body: ProtobufTraceSerializer.serializeRequest(ended)!, traceId: root.spanContext().traceId }
}

const MiB = 1024 * 1024
const allTraces = { errorsOnly: false, limit: 1_000 }

const traceOf = (spans: number, traceId = newTraceId()) =>
  Array.from({ length: spans }, (_, i) => spanRecord({ traceId, startMs: 1_000 + i, name: `step-${i}` }))

describe('telemetry store', () => {
  it('when spans exceed the trace budget, then the traces changed longest ago go first and the rest fit', () => {
    const store = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5_000 })
    const ids: string[] = []
    let evicted = 0
    for (let i = 0; i < 400; i++) {
      const spans = traceOf(10)
      ids.push(spans[0]!.traceId)
      evicted += store.addSpans(spans).evicted
    }
    const { traces } = store.stats()
    expect(traces.bytes).toBeLessThanOrEqual(traces.limitBytes)
    expect(traces.limitBytes).toBe(MiB)
    expect(evicted).toBeGreaterThan(0)
    expect(store.stats().evicted.spans).toBe(evicted)
    const kept = new Set(store.findTraces(allTraces).map((t) => t.traceId))
    expect(kept.size).toBe(traces.count)
    // the kept ones are exactly the newest
    expect(ids.slice(-kept.size).every((id) => kept.has(id))).toBe(true)
    expect(kept.has(ids[0]!)).toBe(false)
  })

  it('when an old trace receives another span, then it counts as recent and outlives newer ones', () => {
    const store = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5_000 })
    const first = traceOf(10)
    const firstId = first[0]!.traceId
    store.addSpans(first)
    const second = traceOf(10)
    store.addSpans(second)
    store.addSpans([spanRecord({ traceId: firstId, name: 'late step' })])
    for (let i = 0; i < 400 && store.trace(second[0]!.traceId); i++) store.addSpans(traceOf(10))
    expect(store.trace(second[0]!.traceId)).toBeUndefined()
    expect(store.trace(firstId)?.summary.spanCount).toBe(11)
  })

  it('when a span comes twice, then it is kept once', () => {
    const store = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5_000 })
    const spans = traceOf(3)
    store.addSpans(spans)
    expect(store.addSpans(spans)).toMatchObject({ kept: 0, duplicates: 3 })
    expect(store.trace(spans[0]!.traceId)?.spans).toHaveLength(3)
  })

  it('when a long trace receives a span it already has, then that span is refused as a duplicate', () => {
    const store = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5_000 })
    const spans = traceOf(100)
    store.addSpans(spans)
    expect(store.addSpans([spans[0]!, spans[50]!, spans[99]!])).toMatchObject({ kept: 0, duplicates: 3 })
    expect(store.addSpans(traceOf(1, spans[0]!.traceId))).toMatchObject({ kept: 1, duplicates: 0 })
    expect(store.trace(spans[0]!.traceId)?.spans).toHaveLength(101)
  })

  it('when spans come as their protobuf bytes, then a trace asked for whole is what decoding them gives', () => {
    const { body, traceId } = exportedTrace()
    const asRecords = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5_000 })
    asRecords.addSpans(decodeTracesProtobuf(body))
    const asBytes = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5_000 })
    const again = Uint8Array.from(body)
    const raw: Uint8Array[] = []
    expect(asBytes.addSpans(decodeTracesProtobuf(body, raw), raw)).toMatchObject({ kept: 6 })
    // the bytes kept are the store's own: the sender's buffer used for something else changes nothing
    body.fill(0)
    const whole = asBytes.trace(traceId)
    expect(whole?.spans).toHaveLength(6)
    expect(whole).toEqual(asRecords.trace(traceId))
    expect(whole?.spans.find((s) => s.name.endsWith('Step3'))).toMatchObject({
      service: 'orders',
      instance: 'orders-2',
      scope: 'microshop-chassis',
      status: { code: 'error', message: 'card declined' },
      attributes: { 'order.id': 'ord-7', attempt: 3, big: '1152921504606846976', ok: false },
      events: [{ name: 'retry', attributes: { reason: 'unavailable' } }],
    })
    expect(asBytes.findTraces({ ...allTraces, orderId: 'ord-7', errorsOnly: true })).toMatchObject([
      { traceId, rootService: 'orders', rootOperation: 'POST /api/orders', spanCount: 6, error: true },
    ])
    const rawAgain: Uint8Array[] = []
    expect(asBytes.addSpans(decodeTracesProtobuf(again, rawAgain), rawAgain)).toMatchObject({
      kept: 0,
      duplicates: 6,
    })
  })

  it('when a trace reaches its span limit, then further spans of it are refused and counted', () => {
    const store = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5 })
    const spans = traceOf(8)
    expect(store.addSpans(spans)).toMatchObject({ kept: 5, overLimit: 3 })
  })

  it('when logs exceed their budget, then the oldest lines go first, and the traces are untouched', () => {
    const store = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5_000 })
    const trace = traceOf(5)
    store.addSpans(trace)
    let evicted = 0
    for (let i = 0; i < 10_000; i++)
      evicted += store.addLogs([logEntry({ timeMs: i, message: `line ${i} ${'x'.repeat(100)}` })]).evicted
    const { logs } = store.stats()
    expect(logs.bytes).toBeLessThanOrEqual(logs.limitBytes)
    expect(evicted).toBe(10_000 - logs.count)
    const latest = store.findLogs({ limit: 1_000 })
    expect(latest.at(-1)?.message).toMatch(/^line 9999 /)
    expect(store.findLogs({ limit: 1_000, toMs: evicted - 1 })).toEqual([])
    expect(store.trace(trace[0]!.traceId)?.spans).toHaveLength(5)
  })

  it('when logs are asked for, then the latest matching come back, oldest first', () => {
    const store = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5_000 })
    store.addLogs([
      logEntry({ timeMs: 1, message: 'a', service: 'orders' }),
      logEntry({ timeMs: 2, message: 'b', service: 'payments' }),
      logEntry({ timeMs: 3, message: 'c', service: 'orders', severityNumber: 17, level: 'error' }),
      logEntry({ timeMs: 4, message: 'd', service: 'orders' }),
    ])
    expect(store.findLogs({ service: 'orders', limit: 2 }).map((l) => l.message)).toEqual(['c', 'd'])
    expect(store.findLogs({ level: 'warn', limit: 10 }).map((l) => l.message)).toEqual(['c'])
  })
})
