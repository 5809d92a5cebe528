import {
  type Attributes,
  type Context,
  context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace'
import { ensureContextManager, keepRequest } from './context.js'
import { isAppError } from './errors.js'
import { IDLE_ROOT } from './idle-root.js'
import { otlpPoster } from './otlp-post.js'
import { OtlpSpanBatch } from './otlp-spans.js'
import { chassisTracer, type SpanSink } from './span.js'

export type { ReadableSpan, Span, SpanExporter }
export { IDLE_ROOT, SpanKind, SpanStatusCode }

/** OTEL_TRACES_SAMPLER's values (the OpenTelemetry environment specification), with its argument. */
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio'

export interface TelemetryOptions {
  service: string
  instance: string
  /** OTEL_EXPORTER_OTLP_ENDPOINT: spans go to `<endpoint>/v1/traces`; without it they are made and dropped. */
  endpoint?: string | undefined
  sampler?: SamplerName
  samplerArg?: number
  /** Told when spans are dropped at shutdown (the service's logger; the logger itself reads the active span). */
  log?: { warn(msg: string): void }
  /** Called with the number of spans dropped because the queue was full or the receiver failed. */
  onDrop?: (count: number) => void
  /** Where spans go instead of OTLP (tests: the SDK's in-memory exporter). */
  exporter?: SpanExporter
}

export interface SpanOptions {
  kind?: SpanKind
  attributes?: Attributes
  /** A W3C traceparent to continue (a stored one, or one that came with a request or an event). */
  parent?: string | undefined
  /** traceparents this work is about without being part of them. */
  links?: readonly (string | undefined)[]
  /** Begin a new trace whatever span is active (background work). */
  root?: boolean
}

/** A service's tracing: spans made at the chassis' boundaries, exported in the background, never in the way. */
export interface Telemetry {
  /** Runs fn inside a new span, records a thrown error on it and ends it. */
  span<T>(name: string, opts: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T>
  /** A span that the caller ends, and the context it is active in (for hooks that begin and end apart). */
  startSpan(name: string, opts: SpanOptions): { span: Span; context: Context }
  /** The W3C traceparent of the active span: store it with work that continues later. */
  traceparent(): string | undefined
  /** Sends what is queued, within timeoutMs, and stops exporting. */
  shutdown(timeoutMs: number): Promise<void>
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/** The span context a W3C traceparent stands for, or undefined when it is not one. */
export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  const match = value ? TRACEPARENT.exec(value.trim().toLowerCase()) : null
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined
  return { traceId: match[1]!, spanId: match[2]!, traceFlags: Number.parseInt(match[3]!, 16), isRemote: true }
}

export const formatTraceparent = (c: SpanContext) =>
  `00-${c.traceId}-${c.spanId}-${(c.traceFlags & 0xff).toString(16).padStart(2, '0')}`

/** The traceparent of the span active in this async context (whichever service made it). */
export function activeTraceparent(): string | undefined {
  const span = trace.getActiveSpan()
  const c = span?.spanContext()
  return c && trace.isSpanContextValid(c) ? formatTraceparent(c) : undefined
}

/** The trace and span ids of the active span, for log lines and problem bodies. */
export function activeIds(): { traceId: string; spanId: string } | undefined {
  const c = trace.getActiveSpan()?.spanContext()
  return c && trace.isSpanContextValid(c) ? { traceId: c.traceId, spanId: c.spanId } : undefined
}

/** Records an error on a span: the code of an AppError, the name and message of anything else. */
export function recordFailure(span: Span, err: unknown): void {
  if (isAppError(err)) {
    span.setAttribute('error.type', err.code)
    // an answer the caller chose (not found, invalid) is not a failure of this span's work
    if (err.kind === 'internal' || err.kind === 'unavailable' || err.kind === 'deadline_exceeded')
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message })
    return
  }
  span.recordException(err as Error)
  span.setAttribute('error.type', (err as Error)?.name ?? 'Error')
  span.setStatus({ code: SpanStatusCode.ERROR, message: String((err as Error)?.message ?? err) })
}

function samplerOf(name: SamplerName = 'parentbased_always_on', arg = 1): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(Math.min(1, Math.max(0, arg)))
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler()
    case 'always_off':
      return new AlwaysOffSampler()
    case 'traceidratio':
      return ratio()
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() })
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() })
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() })
  }
}

/** Where finished spans wait for their batch: as the SDK's objects for a SpanExporter, or as OTLP bytes. */
interface SpanQueue {
  readonly length: number
  push(span: ReadableSpan): void
  /** Sends a batch of what waits; resolves to how many spans were lost (the receiver failed or refused). */
  send(): Promise<number>
  shutdown(): Promise<void>
}

const BATCH = 512

function exporterQueue(exporter: SpanExporter): SpanQueue {
  const spans: ReadableSpan[] = []
  return {
    get length() {
      return spans.length
    },
    push: (span) => void spans.push(span),
    send() {
      const batch = spans.splice(0, BATCH)
      return new Promise((resolve) => exporter.export(batch, (r) => resolve(r.code === 0 ? 0 : batch.length)))
    },
    shutdown: () => exporter.shutdown(),
  }
}

/** Spans written as OTLP/protobuf as they end (see otlp-spans.ts) and POSTed to `url` in batches. */
function otlpQueue(url: string): SpanQueue {
  const batch = new OtlpSpanBatch()
  const post = otlpPoster(url, 'application/x-protobuf', 'TRACES')
  return {
    get length() {
      return batch.count
    },
    push: (span) => batch.add(span),
    async send() {
      const count = batch.count
      const body = batch.take()
      if (!body) return 0
      return (await post(body)) ? 0 : count
    },
    shutdown: async () => undefined,
  }
}

/**
 * A bounded batching processor: finished spans wait in a queue (dropped, and counted, when it is full)
 * and leave in batches every second. Spans of a trace whose root is periodic work are held until the root
 * ends: when it ends idle (nothing was done), the whole trace is dropped, so a timer that found nothing to
 * do leaves no trace behind.
 */
function createBatchProcessor(
  queue: SpanQueue,
  opts: TelemetryOptions,
): SpanSink & { shutdown(): Promise<void> } {
  const MAX_QUEUE = 4_096
  const held = new Map<string, ReadableSpan[]>()
  let exporting: Promise<void> | undefined
  const drop = (n: number): void => {
    if (n > 0) opts.onDrop?.(n)
  }

  const enqueue = (span: ReadableSpan) => {
    if (queue.length >= MAX_QUEUE) return drop(1)
    queue.push(span)
    if (queue.length >= BATCH) void flushOnce()
  }

  const flushOnce = (): Promise<void> => {
    if (exporting || queue.length === 0) return exporting ?? Promise.resolve()
    exporting = queue
      .send()
      .then(drop)
      .finally(() => {
        exporting = undefined
      })
    return exporting
  }

  const timer = setInterval(() => void flushOnce(), 1_000)
  timer.unref()

  return {
    onStart(span, parentContext) {
      const parent = trace.getSpanContext(parentContext)
      if (!parent && span.attributes[IDLE_ROOT] !== undefined) held.set(span.spanContext().traceId, [])
    },
    onEnd(span) {
      const traceId = span.spanContext().traceId
      const holding = held.get(traceId)
      if (!holding) return enqueue(span)
      if (span.parentSpanContext) return void holding.push(span)
      held.delete(traceId)
      if (span.attributes[IDLE_ROOT] === true) return
      for (const one of holding) enqueue(one)
      enqueue(span)
    },
    async shutdown() {
      clearInterval(timer)
      while (queue.length > 0 || exporting) await flushOnce()
      await queue.shutdown()
    },
  }
}

const discard: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => undefined,
}

export function createTelemetry(opts: TelemetryOptions): Telemetry {
  ensureContextManager()
  const queue = opts.exporter
    ? exporterQueue(opts.exporter)
    : opts.endpoint
      ? otlpQueue(`${opts.endpoint.replace(/\/$/, '')}/v1/traces`)
      : exporterQueue(discard)
  const processor = createBatchProcessor(queue, opts)
  const tracer = chassisTracer({
    resource: resourceFromAttributes({ 'service.name': opts.service, 'service.instance.id': opts.instance }),
    scope: { name: 'microshop-chassis' },
    sampler: samplerOf(opts.sampler, opts.samplerArg),
    sink: processor,
  })

  const toLink = (value: string | undefined): Link[] => {
    const c = parseTraceparent(value)
    return c ? [{ context: c }] : []
  }

  const startSpan = (name: string, spanOpts: SpanOptions) => {
    const remote = parseTraceparent(spanOpts.parent)
    // a span begun from a stored parent, or as a root, still serves the request it was begun in
    const parentContext = remote
      ? keepRequest(trace.setSpanContext(ROOT_CONTEXT, remote))
      : spanOpts.root
        ? keepRequest(ROOT_CONTEXT)
        : context.active()
    const span = tracer.startSpan(
      name,
      {
        kind: spanOpts.kind ?? SpanKind.INTERNAL,
        attributes: spanOpts.attributes,
        links: spanOpts.links ? spanOpts.links.flatMap(toLink) : [],
      },
      parentContext,
    )
    return { span, context: trace.setSpan(parentContext, span) }
  }

  return {
    startSpan,
    span(name, spanOpts, fn) {
      const { span, context: active } = startSpan(name, spanOpts)
      return context.with(active, async () => {
        try {
          return await fn(span)
        } catch (err) {
          recordFailure(span, err)
          throw err
        } finally {
          span.end()
        }
      })
    },
    traceparent: activeTraceparent,
    async shutdown(timeoutMs) {
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          opts.log?.warn('telemetry did not flush in time: the last spans are dropped')
          resolve()
        }, timeoutMs)
      })
      try {
        await Promise.race([processor.shutdown(), late])
      } finally {
        clearTimeout(timer)
      }
    },
  }
}

/** Telemetry that makes spans (so logs and problems carry trace ids) and sends them nowhere: for tests and tools. */
export const createLocalTelemetry = (service = 'local') =>
  createTelemetry({ service, instance: service, sampler: 'always_on' })

export { TraceFlags }
