import {
  type Attributes,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  AlwaysOnSampler,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace'
import { describe, expect, it } from 'vitest'
import { OtlpSpanBatch } from '../src/otlp-spans.js'
import { createTelemetry, type SamplerName } from '../src/telemetry.js'

const remote = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
}
const traceparent = `00-${remote.traceId}-${remote.spanId}-01`

const failure = Object.assign(new Error('payments did not answer'), { name: 'TimeoutError' })

/** The same work on any span: attributes of every kind, an event, an exception, statuses, late writes. */
function work(span: Span) {
  const attributes: Attributes = {
    'http.request.method': 'POST',
    'url.path': `/api/orders/${'x'.repeat(300)}`,
    'big.int': 2 ** 40,
    ratio: 0.25,
    retried: false,
    'café.ünïcode': 'naïve — 日本語',
    list: ['a', 'b'],
  }
  span.setAttributes(attributes)
  span.setAttribute('dropped.undefined', undefined as never)
  span.setAttribute('dropped.object', { no: 1 } as never)
  span.addEvent('retry', { attempt: 2 })
  span.recordException(failure)
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'payments did not answer' })
  span.setStatus({ code: SpanStatusCode.UNSET })
  span.updateName('POST /api/orders (renamed)')
  span.end()
  span.setAttribute('after.end', true)
  span.end()
}

/** What a ReadableSpan says, without what is random or timed. */
const shape = (s: ReadableSpan) => ({
  name: s.name,
  kind: s.kind,
  attributes: s.attributes,
  status: s.status,
  events: s.events.map((e) => ({ name: e.name, attributes: e.attributes })),
  links: s.links,
  parent: s.parentSpanContext?.spanId,
  remoteParent: s.parentSpanContext?.isRemote,
  traceFlags: s.spanContext().traceFlags,
  ended: s.ended,
  resource: s.resource.attributes,
  scope: s.instrumentationScope.name,
})

function collector(): { exporter: SpanExporter; spans: ReadableSpan[] } {
  const spans: ReadableSpan[] = []
  return {
    spans,
    exporter: {
      export: (batch, done) => {
        spans.push(...batch)
        done({ code: 0 })
      },
      shutdown: async () => undefined,
    },
  }
}

/** A service's telemetry whose spans are collected as they are exported. */
function traced(sampler: SamplerName) {
  const ours = collector()
  return {
    ours,
    telemetry: createTelemetry({ service: 'orders', instance: 'orders-1', sampler, exporter: ours.exporter }),
  }
}

describe('the chassis span', () => {
  it('when the same work is done on an SDK span and on a chassis span, then both read back alike', async () => {
    const sdkSpans: ReadableSpan[] = []
    const collect: SpanProcessor = {
      onStart: () => undefined,
      onEnd: (span) => void sdkSpans.push(span),
      forceFlush: async () => undefined,
      shutdown: async () => undefined,
    }
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'orders', 'service.instance.id': 'orders-1' }),
      sampler: new AlwaysOnSampler(),
      spanProcessors: [collect],
    })
    const parent = trace.setSpanContext(ROOT_CONTEXT, remote)
    const link = { context: { ...remote, spanId: 'a7ad6b7169203331' }, attributes: { why: 'carrier' } }
    work(
      provider
        .getTracer('microshop-chassis')
        .startSpan('POST /api/orders', { kind: SpanKind.SERVER, links: [link] }, parent),
    )

    const { ours, telemetry } = traced('always_on')
    const { span } = telemetry.startSpan('POST /api/orders', {
      kind: SpanKind.SERVER,
      parent: traceparent,
      links: [`00-${link.context.traceId}-${link.context.spanId}-01`],
    })
    work(span)
    await telemetry.shutdown(5_000)

    expect(ours.spans).toHaveLength(1)
    const [mine, sdk] = [ours.spans[0]!, sdkSpans[0]!]
    // a link the chassis parsed from a traceparent carries no attributes
    expect(shape(mine)).toEqual({ ...shape(sdk), links: [{ context: link.context, attributes: {} }] })
    expect(mine.spanContext().traceId).toBe(remote.traceId)
    expect(mine.endTime[0] * 1e9 + mine.endTime[1]).toBeGreaterThanOrEqual(
      mine.startTime[0] * 1e9 + mine.startTime[1],
    )
    expect(Math.abs(mine.startTime[0] - Date.now() / 1000)).toBeLessThan(60)
  })

  it('when chassis spans are written as OTLP, then the bytes are the SDK serializer’s for the same spans', async () => {
    const { ours, telemetry } = traced('always_on')
    await telemetry.span(
      'PlaceOrder',
      { kind: SpanKind.SERVER, attributes: { 'rpc.method': 'PlaceOrder' } },
      async (span) => {
        work(span)
        await telemetry.span('insert', { attributes: { 'db.system': 'postgresql' } }, async () => undefined)
      },
    )
    await telemetry.shutdown(5_000)
    const batch = new OtlpSpanBatch()
    for (const span of ours.spans) batch.add(span)
    expect(
      Buffer.from(batch.take()!).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(ours.spans)!)),
    ).toBe(true)
  })

  it('when spans nest, then a child has its parent’s trace and the parent’s span id, and ends on its own', async () => {
    const { ours, telemetry } = traced('always_on')
    await telemetry.span('outer', {}, async (outer) => {
      await telemetry.span('inner', {}, async (inner) => {
        expect(inner.spanContext().traceId).toBe(outer.spanContext().traceId)
        expect(trace.getActiveSpan()).toBe(inner)
      })
      expect(context.active()).toBeDefined()
    })
    await telemetry.shutdown(5_000)
    const [inner, outer] = ours.spans
    expect(inner!.name).toBe('inner')
    expect(inner!.parentSpanContext?.spanId).toBe(outer!.spanContext().spanId)
    expect(outer!.parentSpanContext).toBeUndefined()
    expect(new Set(ours.spans.map((s) => s.spanContext().spanId)).size).toBe(2)
  })

  it.each<[SamplerName, string, number]>([
    ['always_off', traceparent, 0],
    ['parentbased_always_on', traceparent.replace(/01$/, '00'), 0],
    ['parentbased_always_on', traceparent, 1],
    ['parentbased_always_off', traceparent, 1],
  ])(
    'when the sampler is %s and the parent is %s, then %i span is recorded',
    async (sampler, parent, recorded) => {
      const { ours, telemetry } = traced(sampler)
      const { span } = telemetry.startSpan('step', { parent })
      expect(span.isRecording()).toBe(recorded === 1)
      // a span not recorded still carries the trace, so what it calls and logs joins it
      expect(span.spanContext().traceId).toBe(remote.traceId)
      span.end()
      await telemetry.shutdown(5_000)
      expect(ours.spans).toHaveLength(recorded)
    },
  )
})
