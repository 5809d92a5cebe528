import {
  type Attributes,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { type ReadableSpan, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { describe, expect, it } from 'vitest'
import { OtlpSpanBatch } from '../src/otlp-spans.js'

/** Spans the SDK really made, with every kind of field a span can carry. */
function madeSpans(): ReadableSpan[] {
  const ended: ReadableSpan[] = []
  const collect: SpanProcessor = {
    onStart: () => undefined,
    onEnd: (span) => void ended.push(span),
    forceFlush: async () => undefined,
    shutdown: async () => undefined,
  }
  const make = (service: string) =>
    new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': `${service}-1` }),
      spanProcessors: [collect],
    })
  const orders = make('orders')
  const tracer = orders.getTracer('microshop-chassis')
  const other = orders.getTracer('another-scope', '1.2.3')
  const remote = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  }
  const attributes: Attributes = {
    'http.request.method': 'POST',
    'url.path': `/api/orders/${'x'.repeat(300)}`,
    'http.response.status_code': 202,
    'big.int': 2 ** 40,
    'negative.int': -7,
    ratio: 0.25,
    retried: false,
    'café.ünïcode': 'naïve — 日本語',
    list: ['a', 'b'],
    numbers: [1, 2.5],
  }
  const root = tracer.startSpan('POST /api/orders', { kind: SpanKind.SERVER, attributes })
  root.addEvent('exception', { 'exception.message': 'boom' })
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'payments did not answer' })
  root.end()
  const linked = tracer.startSpan('carrier tick', {
    links: [{ context: remote, attributes: { why: 'carrier' } }],
  })
  linked.end()
  const child = tracer.startSpan(
    'orders.Orders/PlaceOrder',
    { kind: SpanKind.CLIENT },
    // a span continuing a traceparent that came over the wire
    trace.setSpanContext(ROOT_CONTEXT, remote),
  )
  child.end()
  other.startSpan('scoped').end()
  make('payments')
    .getTracer('microshop-chassis')
    .startSpan('handle OrderCreated', { kind: SpanKind.CONSUMER })
    .end()
  return ended
}

describe('OtlpSpanBatch', () => {
  it('writes, span by span, the bytes the SDK serializer writes for the whole batch', () => {
    const spans = madeSpans()
    const batch = new OtlpSpanBatch()
    for (const span of spans) batch.add(span)
    expect(batch.count).toBe(spans.length)
    const ours = batch.take()
    expect(Buffer.from(ours!).toString('hex')).toBe(
      Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!).toString('hex'),
    )
  })

  it('begins a new request after each take, and has none to give when nothing was added', () => {
    const spans = madeSpans()
    const batch = new OtlpSpanBatch()
    expect(batch.take()).toBeUndefined()
    for (const span of spans.slice(0, 2)) batch.add(span)
    batch.take()
    for (const span of spans.slice(2)) batch.add(span)
    expect(batch.count).toBe(spans.length - 2)
    expect(
      Buffer.from(batch.take()!).equals(
        Buffer.from(ProtobufTraceSerializer.serializeRequest(spans.slice(2))!),
      ),
    ).toBe(true)
    expect(batch.take()).toBeUndefined()
  })

  it('writes a thousand spans in one request whatever their sizes (the buffers grow)', () => {
    const spans = madeSpans()
    const many = Array.from({ length: 1000 }, (_, i) => spans[i % spans.length]!)
    const batch = new OtlpSpanBatch()
    for (const span of many) batch.add(span)
    expect(
      Buffer.from(batch.take()!).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(many)!)),
    ).toBe(true)
  })
})
