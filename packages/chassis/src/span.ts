import { randomFillSync } from 'node:crypto'
import {
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanAttributes,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
  TraceFlags,
  trace,
} from '@opentelemetry/api'
import { type ReadableSpan, type Sampler, SamplingDecision, type TimedEvent } from '@opentelemetry/sdk-trace'

// The chassis' own span: the OpenTelemetry API's Span for the code that makes it, the SDK's ReadableSpan for
// whatever reads it when it ends (the OTLP writer, a test's exporter). The SDK's Span and Tracer did the same
// work with more of it on every span — each attribute checked twice, a clock anchored per trace, the tracer's
// own metrics, a links array mapped — and a gateway request is one span: those microseconds were a tenth
// of what a cached response costs. Sampling is still the SDK's samplers, as OTEL_TRACES_SAMPLER names them.

type Resource = ReadableSpan['resource']
type Scope = ReadableSpan['instrumentationScope']

/** What is told when a span begins and ends (the chassis' batching processor). */
export interface SpanSink {
  onStart(span: ChassisSpan, parentContext: Context): void
  onEnd(span: ChassisSpan): void
}

const NO_ATTRIBUTES: Attributes = Object.freeze({})

/** Random ids drawn from a pool of crypto bytes refilled as it runs out: one system call per 256 spans. */
const pool = Buffer.allocUnsafe(8 * 1024)
let taken = pool.length
function randomHex(bytes: number): string {
  if (taken + bytes > pool.length) {
    randomFillSync(pool)
    taken = 0
  }
  const hex = pool.toString('hex', taken, taken + bytes)
  taken += bytes
  // all zeros is not a valid id (one in 2⁶⁴ draws)
  return /^0+$/.test(hex) ? randomHex(bytes) : hex
}

const now = () => performance.timeOrigin + performance.now()

/** Milliseconds since the epoch as an HrTime: seconds and nanoseconds. */
function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000)
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)]
}

function toMs(time: TimeInput | undefined): number {
  if (time === undefined) return now()
  // a number is the epoch's milliseconds, or performance.now()'s when it is no later than now (as the SDK reads it)
  if (typeof time === 'number') return time <= performance.now() ? performance.timeOrigin + time : time
  if (time instanceof Date) return time.getTime()
  return time[0] * 1000 + time[1] / 1e6
}

const isPrimitive = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'

/** An attribute's value as OpenTelemetry keeps it: primitives and arrays of them; anything else is left out. */
function valid(value: unknown): value is AttributeValue {
  if (isPrimitive(value)) return true
  return Array.isArray(value) && value.every((v) => v == null || isPrimitive(v))
}

function copyAttributes(from: Attributes | undefined): Attributes {
  const to: Attributes = {}
  if (from)
    for (const key in from) {
      const value = from[key]
      if (key && valid(value)) to[key] = Array.isArray(value) ? (value.slice() as AttributeValue) : value
    }
  return to
}

export class ChassisSpan implements Span, ReadableSpan {
  readonly attributes: Attributes
  readonly links: Link[]
  readonly events: TimedEvent[] = []
  status: SpanStatus = { code: SpanStatusCode.UNSET }
  ended = false
  readonly droppedAttributesCount = 0
  readonly droppedEventsCount = 0
  readonly droppedLinksCount = 0
  private readonly startMs: number
  private endMs = 0

  constructor(
    public name: string,
    readonly kind: SpanKind,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    attributes: Attributes,
    links: Link[],
    readonly resource: Resource,
    readonly instrumentationScope: Scope,
    private readonly sink: SpanSink,
    startTime?: TimeInput,
  ) {
    this.attributes = attributes
    this.links = links
    this.startMs = toMs(startTime)
  }

  get startTime(): HrTime {
    return hrTime(this.startMs)
  }
  get endTime(): HrTime {
    return hrTime(this.endMs)
  }
  get duration(): HrTime {
    return hrTime(this.endMs - this.startMs)
  }

  spanContext(): SpanContext {
    return this.context
  }
  isRecording(): boolean {
    return !this.ended
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (!this.ended && key && valid(value)) this.attributes[key] = value
    return this
  }
  setAttributes(attributes: SpanAttributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key] as AttributeValue)
    return this
  }
  addEvent(name: string, attributes?: SpanAttributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this
    // addEvent(name, time) is an overload of the API
    const timeOnly = typeof attributes === 'number' || attributes instanceof Date || Array.isArray(attributes)
    this.events.push({
      name,
      attributes: timeOnly ? {} : copyAttributes(attributes as Attributes | undefined),
      time: hrTime(toMs(timeOnly ? (attributes as TimeInput) : time)),
      droppedAttributesCount: 0,
    })
    return this
  }
  addLink(link: Link): this {
    if (!this.ended) this.links.push({ context: link.context, attributes: copyAttributes(link.attributes) })
    return this
  }
  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link)
    return this
  }
  setStatus(status: SpanStatus): this {
    if (this.ended || this.status.code === SpanStatusCode.OK) return this
    if (status.code === SpanStatusCode.UNSET) return this
    this.status =
      status.code === SpanStatusCode.ERROR && typeof status.message === 'string'
        ? { code: status.code, message: status.message }
        : { code: status.code }
    return this
  }
  updateName(name: string): this {
    if (!this.ended) this.name = name
    return this
  }
  /** As the SDK records one: an `exception` event with the type, message and stack trace. */
  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {}
    if (typeof exception === 'string') attributes['exception.message'] = exception
    else if (exception) {
      const type = exception.code ? String(exception.code) : exception.name
      if (type) attributes['exception.type'] = type
      if (exception.message) attributes['exception.message'] = exception.message
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack
    }
    if (attributes['exception.type'] || attributes['exception.message'])
      this.addEvent('exception', attributes, time)
  }
  end(endTime?: TimeInput): void {
    if (this.ended) return
    this.endMs = Math.max(this.startMs, toMs(endTime))
    this.ended = true
    this.sink.onEnd(this)
  }
}

export interface ChassisTracer {
  startSpan(
    name: string,
    opts: { kind: SpanKind; attributes?: Attributes | undefined; links: Link[]; startTime?: TimeInput },
    parentContext: Context,
  ): Span
}

/** Starts spans under a sampler's decision: recorded ones as ChassisSpans, the rest as non-recording. */
export function chassisTracer(deps: {
  resource: Resource
  scope: Scope
  sampler: Sampler
  sink: SpanSink
}): ChassisTracer {
  return {
    startSpan(name, opts, parentContext) {
      const parent = trace.getSpanContext(parentContext)
      const child = parent !== undefined && trace.isSpanContextValid(parent)
      const traceId = child ? parent.traceId : randomHex(16)
      const spanId = randomHex(8)
      const result = deps.sampler.shouldSample(
        parentContext,
        traceId,
        name,
        opts.kind,
        opts.attributes ?? NO_ATTRIBUTES,
        opts.links,
      )
      const traceState = result.traceState ?? (child ? parent.traceState : undefined)
      const flags =
        result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE
      const context: SpanContext = {
        traceId,
        spanId,
        traceFlags: flags,
        ...(traceState ? { traceState } : {}),
      }
      if (result.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(context)
      // copied only for a span that keeps them (setAttribute writes to its own object)
      const attributes = copyAttributes(opts.attributes)
      if (result.attributes) Object.assign(attributes, copyAttributes(result.attributes))
      const span = new ChassisSpan(
        name,
        opts.kind,
        context,
        child ? parent : undefined,
        attributes,
        opts.links.map((l) => ({ context: l.context, attributes: copyAttributes(l.attributes) })),
        deps.resource,
        deps.scope,
        deps.sink,
        opts.startTime,
      )
      deps.sink.onStart(span, parentContext)
      return span
    },
  }
}
