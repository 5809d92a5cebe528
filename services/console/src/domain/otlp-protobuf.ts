import { WireType } from '@bufbuild/protobuf/wire'
import { ConsoleErrors } from './errors.js'
import {
  addKeyValue,
  anyValue,
  checkKeyValue,
  decodeBody,
  eachField,
  expectType,
  nested,
  nextTag,
  read,
  resource,
  scopeName,
  WireError,
  type WireReader,
  within,
} from './protobuf-wire.js'
import {
  type Attributes,
  type AttributeValue,
  intern,
  type LogEntry,
  levelOf,
  type MetricSummary,
  type MetricType,
  messageOf,
  nanosToMs,
  type SpanEvent,
  type SpanLink,
  type SpanRecord,
  serviceOf,
  severityOf,
  spanKindOf,
  statusCodeOf,
  toHex,
} from './telemetry.js'
import { ORDER_ID_ATTRIBUTE } from './traces.js'

// OTLP 1.x over protobuf (opentelemetry/proto/collector/*/v1): the field numbers are the specification's.

const NO_BYTES: Uint8Array = new Uint8Array(0)
// most spans have no events and no links: they share one empty list (frozen, so none can grow it)
const NO_EVENTS: SpanEvent[] = Object.freeze([]) as unknown as SpanEvent[]
const NO_LINKS: SpanLink[] = Object.freeze([]) as unknown as SpanLink[]

type WithoutResource<T> = Omit<T, 'service' | 'instance'>

/** Reads `Resource{1}, Scope*{2}` of a Resource* message, then gives every item its resource's service. */
function resourceGroup<T>(
  r: WireReader,
  end: number,
  scopeField: string,
  readScope: (r: WireReader, end: number, into: WithoutResource<T>[]) => void,
): T[] {
  let attributes: Attributes = {}
  const items: WithoutResource<T>[] = []
  eachField(r, end, (field, type) => {
    if (field === 1) attributes = nested(r, type, 'resource', resource)
    else if (field === 2) nested(r, type, scopeField, (r, end) => readScope(r, end, items))
    else return false
    return true
  })
  const { service, instance } = serviceOf(attributes)
  // completed in place: a copy of every item would double the garbage of a large export
  for (const item of items as Array<Record<string, unknown>>) {
    item.service = service
    item.instance = instance
  }
  return items as T[]
}

/** Reads `Scope{1}, Item*{2}` of a Scope* message; `scoped` gives an item its scope's name. */
function scopeGroup<T>(
  r: WireReader,
  end: number,
  itemField: string,
  readItem: (r: WireReader, end: number) => T,
  into: T[],
  scoped: (item: T, scope: string) => T = (item) => item,
) {
  let scope = ''
  const items: T[] = []
  eachField(r, end, (field, type) => {
    if (field === 1) scope = nested(r, type, 'scope', scopeName)
    else if (field === 2) items.push(nested(r, type, itemField, readItem))
    else return false
    return true
  })
  // the scope may come after its items: fields are in any order on the wire
  for (const item of items) into.push(scoped(item, scope))
}

function requestOf<T>(
  bytes: Uint8Array,
  what: string,
  resourceField: string,
  readResource: (r: WireReader, end: number) => T[],
): T[] {
  try {
    return decodeBody(bytes, (r, end) => {
      const out: T[] = []
      eachField(r, end, (field, type) => {
        if (field !== 1) return false
        out.push(...nested(r, type, resourceField, readResource))
        return true
      })
      return out
    })
  } catch (err) {
    if (err instanceof WireError) throw ConsoleErrors.malformedProtobuf(what, err.reason)
    throw err
  }
}

function id(bytes: Uint8Array, length: number, name: string): string {
  if (bytes.length !== length) throw new WireError(`expected ${length} bytes, got ${bytes.length}`).at(name)
  if (bytes.every((b) => b === 0)) throw new WireError('must not be all zeroes').at(name)
  return toHex(bytes)
}

/** An optional id: empty is none. */
const optionalId = (bytes: Uint8Array, length: number, name: string) =>
  bytes.length === 0 ? null : id(bytes, length, name)

function attributesField(into: Attributes, r: WireReader, type: WireType) {
  addKeyValue(into, r, type)
  return true
}

/** Span.Event{1 fixed64 time, 2 name, 3 attributes}. */
function spanEvent(r: WireReader, end: number): SpanEvent {
  const event: SpanEvent = { timeUnixNano: '0', name: '', attributes: {} }
  eachField(r, end, (field, type) => {
    if (field === 1) event.timeUnixNano = read.fixed64(r, type).toString()
    else if (field === 2) event.name = read.string(r, type)
    else if (field === 3) return attributesField(event.attributes, r, type)
    else return false
    return true
  })
  return event
}

/** Span.Link{1 trace_id, 2 span_id, 4 attributes}. */
function spanLink(r: WireReader, end: number): SpanLink {
  let traceId = NO_BYTES
  let spanId = NO_BYTES
  const attributes: Attributes = {}
  eachField(r, end, (field, type) => {
    if (field === 1) traceId = read.bytes(r, type)
    else if (field === 2) spanId = read.bytes(r, type)
    else if (field === 4) return attributesField(attributes, r, type)
    else return false
    return true
  })
  return { traceId: id(traceId, 16, 'trace_id'), spanId: id(spanId, 8, 'span_id'), attributes }
}

// the status of most spans: shared, frozen so that no span can change another's
const UNSET: SpanRecord['status'] = Object.freeze({ code: 'unset', message: '' })
const OK: SpanRecord['status'] = Object.freeze({ code: 'ok', message: '' })

/** Status{2 message, 3 code}. */
function spanStatus(r: WireReader, end: number): SpanRecord['status'] {
  let message = ''
  let code = 0
  while (r.pos < end) {
    const tag = nextTag(r)
    const type = (tag & 7) as WireType
    if (tag >>> 3 === 2) message = read.string(r, type)
    else if (tag >>> 3 === 3) code = read.varint(r, type)
    else r.skip(type, tag >>> 3)
    within(r, end, tag)
  }
  const status = statusCodeOf(code)
  if (message === '' && status !== 'error') return status === 'ok' ? OK : UNSET
  return { code: status, message }
}

// the one attribute the store reads of a span it keeps as bytes (for the trace's facts), as the wire has its key
const ORDER_ID_KEY = new TextEncoder().encode(ORDER_ID_ATTRIBUTE)

/** Where an id field is, read once the whole span is (fields come in any order, and may repeat). */
const NOT_SEEN = -1

/**
 * Span{1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 7 start, 8 end, 9 attributes, 11 events,
 * 13 links, 15 status}. A loop over the fields rather than eachField's visitor, and ids and times read
 * straight from the body: every span of every service comes through here. With `factsOnly` (a span kept as
 * its bytes), its attributes are checked but only `order.id` is read: reading every attribute's key and value
 * was more than half of what the console spent on a span, and the store keeps none of them.
 */
function span(r: WireReader, end: number, factsOnly = false): WithoutResource<SpanRecord> {
  let traceId: string | null = null
  let spanId: string | null = null
  let parentSpanId: string | null = null
  let name = ''
  let kind = 0
  let start = NOT_SEEN
  let finish = NOT_SEEN
  let status = UNSET
  const attributes: Attributes = {}
  let events = NO_EVENTS
  let links = NO_LINKS
  while (r.pos < end) {
    const tag = nextTag(r)
    const type = (tag & 7) as WireType
    switch (tag >>> 3) {
      case 1:
        expectType(type, WireType.LengthDelimited)
        traceId = r.hexId(16, 'trace_id')
        break
      case 2:
        expectType(type, WireType.LengthDelimited)
        spanId = r.hexId(8, 'span_id')
        break
      case 4:
        expectType(type, WireType.LengthDelimited)
        parentSpanId = r.hexId(8, 'parent_span_id', true)
        break
      case 5:
        name = intern(read.string(r, type))
        break
      case 6:
        kind = read.varint(r, type)
        break
      case 7:
        expectType(type, WireType.Bit64)
        start = r.fixed64At()
        break
      case 8:
        expectType(type, WireType.Bit64)
        finish = r.fixed64At()
        break
      case 9:
        if (!factsOnly) addKeyValue(attributes, r, type)
        else {
          const orderId = checkKeyValue(r, type, 0, ORDER_ID_KEY)
          if (orderId !== undefined) attributes[ORDER_ID_ATTRIBUTE] = orderId
        }
        break
      case 11:
        if (events === NO_EVENTS) events = []
        events.push(nested(r, type, 'events', spanEvent))
        break
      case 13:
        if (links === NO_LINKS) links = []
        links.push(nested(r, type, 'links', spanLink))
        break
      case 15:
        status = nested(r, type, 'status', spanStatus)
        break
      default:
        r.skip(type, tag >>> 3)
    }
    within(r, end, tag)
  }
  if (traceId === null) throw new WireError('expected 16 bytes, got 0').at('trace_id')
  if (spanId === null) throw new WireError('expected 8 bytes, got 0').at('span_id')
  const elapsed = start === NOT_SEEN || finish === NOT_SEEN ? 0 : r.u64Difference(start, finish)
  return {
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: spanKindOf(kind),
    scope: '',
    // the facts need the times in milliseconds only: their exact text is made when the span is read whole
    startTimeUnixNano: factsOnly ? '' : start === NOT_SEEN ? '0' : r.u64Text(start),
    endTimeUnixNano: factsOnly ? '' : finish === NOT_SEEN ? '0' : r.u64Text(finish),
    // to the microsecond, as nanosToMs gives it
    startMs: start === NOT_SEEN ? 0 : r.u64Thousandths(start) / 1000,
    durationMs: elapsed > 0 ? elapsed / 1e6 : 0,
    status,
    attributes,
    events,
    links,
  }
}

/**
 * ExportTraceServiceRequest{1 ResourceSpans{1 Resource, 2 ScopeSpans{1 scope, 2 Span}}}. With `raw`, the
 * bytes of each span's message are pushed to it, in the order of the spans (views of `bytes`, not copies),
 * and the records carry, of their attributes, `order.id` alone, and no exact times (startMs and durationMs
 * only): a record is then the span's facts, its bytes the span (decodeSpanMessage reads them whole).
 */
export function decodeTracesProtobuf(bytes: Uint8Array, raw?: Uint8Array[]): SpanRecord[] {
  const readSpan = raw
    ? (r: WireReader, end: number) => {
        const from = r.pos
        const record = span(r, end, true)
        raw.push(r.view(from, end))
        return record
      }
    : span
  return requestOf(bytes, 'ExportTraceServiceRequest', 'resource_spans', (r, end) =>
    resourceGroup<SpanRecord>(r, end, 'scope_spans', (r, end, into) =>
      scopeGroup(r, end, 'spans', readSpan, into, (item, scope) => {
        item.scope = scope
        return item
      }),
    ),
  )
}

/** One Span message's bytes, as pushed to `raw` by decodeTracesProtobuf, decoded again (without its resource). */
export function decodeSpanMessage(bytes: Uint8Array): Omit<SpanRecord, 'service' | 'instance'> {
  try {
    return decodeBody(bytes, span)
  } catch (err) {
    if (err instanceof WireError) throw ConsoleErrors.malformedProtobuf('Span', err.reason)
    throw err
  }
}

function logRecord(r: WireReader, end: number): WithoutResource<LogEntry> {
  let time = 0n
  let observed = 0n
  let severityNumber = 0
  let severityText = ''
  let body: AttributeValue = null
  let traceId = NO_BYTES
  let spanId = NO_BYTES
  const attributes: Attributes = {}
  eachField(r, end, (field, type) => {
    switch (field) {
      case 1:
        time = read.fixed64(r, type)
        return true
      case 11:
        observed = read.fixed64(r, type)
        return true
      case 2:
        severityNumber = read.varint(r, type)
        return true
      case 3:
        severityText = read.string(r, type)
        return true
      case 5:
        body = nested(r, type, 'body', (r, end) => anyValue(r, end))
        return true
      case 6:
        return attributesField(attributes, r, type)
      case 9:
        traceId = read.bytes(r, type)
        return true
      case 10:
        spanId = read.bytes(r, type)
        return true
    }
    return false
  })
  const at = time > 0n ? time : observed
  const severity = severityOf(severityNumber, severityText)
  return {
    timeUnixNano: at.toString(),
    timeMs: nanosToMs(at),
    severityNumber: severity,
    severityText,
    level: levelOf(severity),
    message: messageOf(body),
    attributes,
    traceId: optionalId(traceId, 16, 'trace_id'),
    spanId: optionalId(spanId, 8, 'span_id'),
  }
}

/** ExportLogsServiceRequest{1 ResourceLogs{1 Resource, 2 ScopeLogs{1 scope, 2 LogRecord}}}. */
export const decodeLogsProtobuf = (bytes: Uint8Array): LogEntry[] =>
  requestOf(bytes, 'ExportLogsServiceRequest', 'resource_logs', (r, end) =>
    resourceGroup<LogEntry>(r, end, 'scope_logs', (r, end, into) =>
      scopeGroup(r, end, 'log_records', logRecord, into),
    ),
  )

/** NumberDataPoint{3 fixed64 time, 4 double as_double, 6 sfixed64 as_int}: its time and value. */
function numberPoint(r: WireReader, end: number): { time: bigint; value: number | null } {
  let time = 0n
  let value: number | null = null
  eachField(r, end, (field, type) => {
    if (field === 3) time = read.fixed64(r, type)
    else if (field === 4) value = read.double(r, type)
    else if (field === 6) value = Number(read.sfixed64(r, type))
    else return false
    return true
  })
  return { time, value }
}

/** Gauge, Sum, Histogram, …{1 repeated data point}: how many points, and the latest value of number points. */
function dataPoints(r: WireReader, end: number, numbers: boolean) {
  let points = 0
  let latest: { time: bigint; value: number | null } | undefined
  eachField(r, end, (field, type) => {
    if (field !== 1) return false
    points++
    if (!numbers) return false
    const point = nested(r, type, 'data_points', numberPoint)
    if (!latest || point.time >= latest.time) latest = point
    return true
  })
  return { points, latest }
}

const METRIC_DATA: Record<number, { type: MetricType; numbers: boolean }> = {
  5: { type: 'gauge', numbers: true },
  7: { type: 'sum', numbers: true },
  9: { type: 'histogram', numbers: false },
  10: { type: 'exponential_histogram', numbers: false },
  11: { type: 'summary', numbers: false },
}

/** Metric{1 name, 2 description, 3 unit, 5 gauge | 7 sum | 9 histogram | 10 exponential_histogram | 11 summary}. */
function metric(r: WireReader, end: number): WithoutResource<MetricSummary> {
  const out: WithoutResource<MetricSummary> = {
    name: '',
    description: '',
    unit: '',
    type: 'unknown',
    points: 0,
    latest: null,
    timeMs: 0,
  }
  eachField(r, end, (field, type) => {
    if (field === 1) out.name = read.string(r, type)
    else if (field === 2) out.description = read.string(r, type)
    else if (field === 3) out.unit = read.string(r, type)
    else {
      const data = METRIC_DATA[field]
      if (!data) return false
      const { points, latest } = nested(r, type, data.type, (r, end) => dataPoints(r, end, data.numbers))
      out.type = data.type
      out.points = points
      out.latest = latest?.value ?? null
      out.timeMs = latest ? nanosToMs(latest.time) : 0
    }
    return true
  })
  return out
}

/** ExportMetricsServiceRequest{1 ResourceMetrics{1 Resource, 2 ScopeMetrics{1 scope, 2 Metric}}}. */
export const decodeMetricsProtobuf = (bytes: Uint8Array): MetricSummary[] =>
  requestOf(bytes, 'ExportMetricsServiceRequest', 'resource_metrics', (r, end) =>
    resourceGroup<MetricSummary>(r, end, 'scope_metrics', (r, end, into) =>
      scopeGroup(r, end, 'metrics', metric, into),
    ),
  )
