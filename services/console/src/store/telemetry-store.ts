import { type LogFilter, logMatches } from '../domain/logs.js'
import { decodeSpanMessage } from '../domain/otlp-protobuf.js'
import type { Attributes, AttributeValue, LogEntry, MetricSummary, SpanRecord } from '../domain/telemetry.js'
import {
  addSpanToFacts,
  NO_ORDERS,
  orderedSpans,
  summaryOf,
  type TraceFacts,
  type TraceFilter,
  type TraceSummary,
  traceMatches,
} from '../domain/traces.js'

// Recent telemetry in memory, within a byte budget: each record is measured once, by an estimate of the heap it
// keeps (its objects, its strings; attribute keys and names, which the decoders keep once for all, as one
// reference each), and the oldest go first when a budget is full. `npm run bench:console`
// prints the heap really kept against the budget.
// A span that came as protobuf is kept as its own message's bytes, not as decoded objects: what a
// trace list needs is folded into the trace's facts as it comes, and a trace asked for whole is decoded again.
// A dozen objects a span, kept until evicted, made the garbage collector the console's largest cost (about
// two thirds of its CPU per span); bytes are one object, and a third of the memory.
// Traces and logs have a half each, so a flood of logs cannot push out every trace, nor the reverse.
// A trace is "old" by its last span: one still receiving spans (a saga in progress) stays.

// what a record costs beyond its strings and attributes: its object and nested objects, its place in the indexes
const SPAN_OVERHEAD = 400
// a span kept as bytes: its place in the trace's list, its string's header, its id
const RAW_SPAN_OVERHEAD = 72
const LOG_OVERHEAD = 200
const TRACE_OVERHEAD = 560
const MAX_METRICS = 2_000
// a trace's span ids are searched in its list until it has this many, then in a set
const SPAN_ID_SET_FROM = 32

/** The heap a string of this length keeps: a header and one byte per character, in 8-byte words. */
const stringBytes = (value: string) => 16 + Math.ceil(value.length / 8) * 8

/** The heap an attribute value keeps (a value string counts whole: it may be the record's own). */
function valueBytes(value: AttributeValue): number {
  if (typeof value === 'string') return 8 + stringBytes(value)
  if (typeof value === 'number') return 24
  if (value === null || typeof value === 'boolean') return 8
  if (Array.isArray(value)) {
    let bytes = 48
    for (const item of value) bytes += valueBytes(item)
    return bytes
  }
  return attributesBytes(value)
}

function attributesBytes(attributes: Attributes): number {
  let bytes = 56
  for (const key in attributes) bytes += 16 + valueBytes(attributes[key]!)
  return bytes
}

/** What one stored span keeps: the record, its unique strings (ids, times), its attributes, events and links. */
function spanBytes(span: SpanRecord): number {
  let bytes =
    SPAN_OVERHEAD +
    2 * stringBytes(span.spanId) +
    stringBytes(span.startTimeUnixNano) +
    stringBytes(span.endTimeUnixNano) +
    attributesBytes(span.attributes)
  if (span.status.message !== '') bytes += stringBytes(span.status.message)
  for (const event of span.events)
    bytes += 64 + stringBytes(event.timeUnixNano) + attributesBytes(event.attributes)
  for (const link of span.links) bytes += 64 + 80 + attributesBytes(link.attributes)
  return bytes
}

const logEntryBytes = (entry: LogEntry) =>
  LOG_OVERHEAD +
  stringBytes(entry.timeUnixNano) +
  stringBytes(entry.message) +
  attributesBytes(entry.attributes) +
  (entry.traceId ? 2 * stringBytes(entry.traceId) : 0)

export interface TelemetryStoreOptions {
  maxBytes: number
  maxSpansPerTrace: number
}

/** Where spans kept as bytes came from: shared by the spans of one resource and scope. */
interface SpanOrigin {
  service: string
  instance: string | null
  scope: string
}

/** A trace as kept: its facts and its spans, in one object of one shape (the store keeps thousands). */
class StoredTrace implements TraceFacts {
  startMs = Number.POSITIVE_INFINITY
  endMs = Number.NEGATIVE_INFINITY
  spanCount = 0
  services: string[]
  operations: string[]
  orderIds: string[] = NO_ORDERS
  errors = 0
  rootService = ''
  rootName = ''
  rootHasParent: boolean | undefined = undefined
  rootStartMs = 0
  /**
   * Three entries a span: its id, the span (the bytes of its protobuf message, or decoded when it came as
   * JSON) and, for bytes, its origin. One list, not three: most traces have a single span.
   */
  entries: (string | SpanRecord | SpanOrigin | undefined)[]
  /** Made once the trace is long enough for a search of its ids to cost more than a set. */
  idSet: Set<string> | undefined = undefined
  bytes = TRACE_OVERHEAD

  /**
   * A trace begun by its first span. Its lists start as literals holding that span: a list begun empty and
   * pushed to reserves room for 17, and most traces never grow past one (addSpanToFacts finds the first span's
   * service and name already there).
   */
  constructor(
    readonly traceId: string,
    first: SpanRecord,
    kept: KeptSpan,
    origin: SpanOrigin | undefined,
  ) {
    this.services = [first.service]
    this.operations = [first.name]
    this.entries = [first.spanId, kept, origin]
  }
}

const ENTRY = 3

function hasSpan(trace: StoredTrace, spanId: string): boolean {
  if (trace.idSet) return trace.idSet.has(spanId)
  for (let i = 0; i < trace.entries.length; i += ENTRY) if (trace.entries[i] === spanId) return true
  return false
}

function keepSpan(trace: StoredTrace, spanId: string, kept: KeptSpan, origin?: SpanOrigin) {
  trace.entries.push(spanId, kept, origin)
  indexSpan(trace, spanId)
}

function indexSpan(trace: StoredTrace, spanId: string) {
  if (trace.idSet) trace.idSet.add(spanId)
  else if (trace.entries.length >= SPAN_ID_SET_FROM * ENTRY) {
    trace.idSet = new Set()
    for (let i = 0; i < trace.entries.length; i += ENTRY) trace.idSet.add(trace.entries[i] as string)
  }
}

/** The spans of a trace, as records. */
function recordsOf(trace: StoredTrace): SpanRecord[] {
  const records: SpanRecord[] = []
  for (let i = 0; i < trace.entries.length; i += ENTRY)
    records.push(recordOf(trace.entries[i + 1] as KeptSpan, trace.entries[i + 2] as SpanOrigin | undefined))
  return records
}

/** A span as kept: the bytes of its protobuf message (as latin1 text), or decoded (it came as JSON). */
type KeptSpan = string | SpanRecord

/** A kept span as a record again. */
function recordOf(kept: KeptSpan, origin: SpanOrigin | undefined): SpanRecord {
  if (typeof kept !== 'string') return kept
  const record = decodeSpanMessage(Buffer.from(kept, 'latin1')) as SpanRecord
  record.service = origin?.service ?? ''
  record.instance = origin?.instance ?? null
  record.scope = origin?.scope ?? ''
  return record
}

/** What one add did: kept, evicted to make room, and refused (duplicates, spans past a trace's limit). */
export interface AddOutcome {
  kept: number
  evicted: number
  duplicates: number
  overLimit: number
}

export function createTelemetryStore(opts: TelemetryStoreOptions) {
  const traceBudget = Math.floor(opts.maxBytes / 2)
  const logBudget = opts.maxBytes - traceBudget
  const traces = new Map<string, StoredTrace>()
  let traceBytes = 0
  let spanCount = 0
  // logs in arrival order; `head` is the oldest kept, the emptied slots before it wait for a compaction
  let logs: (LogEntry | undefined)[] = []
  let logSizes: number[] = []
  let head = 0
  let logBytes = 0
  const metrics = new Map<string, MetricSummary>()
  const totals = { spans: 0, logs: 0, evictedTraces: 0, evictedSpans: 0, evictedLogs: 0 }

  // One iterator over the traces, oldest first, kept from one eviction to the next: a Map keeps the slots of
  // deleted entries until it is rebuilt, and a new iterator would step over all of them every time. An
  // iterator sees entries added after it was made (a trace changed is re-inserted at the end), so the order
  // is kept.
  let oldestFirst: Iterator<StoredTrace> | undefined
  const nextOldest = (): StoredTrace | undefined => {
    for (let fresh = false; ; fresh = true) {
      oldestFirst ??= traces.values()
      const next = oldestFirst.next()
      if (!next.done) return next.value
      oldestFirst = undefined
      if (fresh) return undefined
    }
  }

  const evictTrace = (trace: StoredTrace) => {
    traces.delete(trace.traceId)
    traceBytes -= trace.bytes
    spanCount -= trace.spanCount
    totals.evictedTraces++
    totals.evictedSpans += trace.spanCount
    return trace.spanCount
  }

  const evictLog = () => {
    logBytes -= logSizes[head] ?? 0
    logs[head] = undefined
    head++
    totals.evictedLogs++
    if (head > 1_024 && head * 2 > logs.length) {
      logs = logs.slice(head)
      logSizes = logSizes.slice(head)
      head = 0
    }
  }

  return {
    /**
     * Keeps spans; with `raw` (the bytes of each one's protobuf message, as decodeTracesProtobuf gives them),
     * each is kept as a copy of its bytes, else as the record.
     */
    addSpans(spans: readonly SpanRecord[], raw?: readonly Uint8Array[]): AddOutcome {
      const outcome: AddOutcome = { kept: 0, evicted: 0, duplicates: 0, overLimit: 0 }
      let latest: StoredTrace | undefined
      let origin: SpanOrigin | undefined
      for (let i = 0; i < spans.length; i++) {
        const span = spans[i]!
        let trace = latest?.traceId === span.traceId ? latest : traces.get(span.traceId)
        if (trace && hasSpan(trace, span.spanId)) {
          outcome.duplicates++
          continue
        }
        if (trace && trace.spanCount >= opts.maxSpansPerTrace) {
          outcome.overLimit++
          continue
        }
        const message = raw?.[i]
        let kept: KeptSpan = span
        let bytes: number
        if (message) {
          if (
            origin?.service !== span.service ||
            origin.instance !== span.instance ||
            origin.scope !== span.scope
          )
            origin = { service: span.service, instance: span.instance, scope: span.scope }
          // a copy (a view would keep the whole request body), as a string of one byte a character: in the
          // heap, one object the collector never looks into. A Buffer's bytes would be malloc's, which
          // returns them to the system far less readily than V8 its pages.
          kept = Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString('latin1')
          bytes = RAW_SPAN_OVERHEAD + stringBytes(kept) + stringBytes(span.spanId)
        } else bytes = spanBytes(span)
        const spanOrigin = message ? origin : undefined
        if (!trace) {
          trace = new StoredTrace(span.traceId, span, kept, spanOrigin)
          indexSpan(trace, span.spanId)
          traceBytes += TRACE_OVERHEAD
          traces.set(span.traceId, trace)
        } else {
          if (trace !== latest) {
            // re-inserted: the Map's order is the order of last change (spans of one trace come together)
            traces.delete(span.traceId)
            traces.set(span.traceId, trace)
          }
          keepSpan(trace, span.spanId, kept, spanOrigin)
        }
        // a decoded span keeps the trace's own copy of the id: the trace's spans share it
        if (!message) span.traceId = trace.traceId
        latest = trace
        addSpanToFacts(trace, span)
        trace.bytes += bytes
        traceBytes += bytes
        spanCount++
        outcome.kept++
      }
      totals.spans += outcome.kept
      while (traceBytes > traceBudget) {
        const oldest = nextOldest()
        if (!oldest) break
        outcome.evicted += evictTrace(oldest)
      }
      return outcome
    },

    addLogs(entries: readonly LogEntry[]): AddOutcome {
      const outcome: AddOutcome = { kept: entries.length, evicted: 0, duplicates: 0, overLimit: 0 }
      for (const entry of entries) {
        const bytes = logEntryBytes(entry)
        logs.push(entry)
        logSizes.push(bytes)
        logBytes += bytes
      }
      totals.logs += entries.length
      while (logBytes > logBudget && head < logs.length) {
        evictLog()
        outcome.evicted++
      }
      return outcome
    },

    /** The latest export of each metric replaces the one before (metrics are summaries, not series). */
    putMetrics(summaries: readonly MetricSummary[]): void {
      for (const summary of summaries) {
        const key = `${summary.service}\u0000${summary.instance ?? ''}\u0000${summary.name}`
        metrics.delete(key)
        metrics.set(key, summary)
      }
      for (const key of metrics.keys()) {
        if (metrics.size <= MAX_METRICS) break
        metrics.delete(key)
      }
    },

    /** Matching traces, the latest started first. */
    findTraces(filter: TraceFilter): TraceSummary[] {
      const found: TraceFacts[] = []
      for (const trace of traces.values()) if (traceMatches(filter, trace)) found.push(trace)
      return found
        .sort((a, b) => b.startMs - a.startMs)
        .slice(0, filter.limit)
        .map(summaryOf)
    },

    /** One trace whole, its spans by start time; undefined when never seen or evicted. */
    trace(traceId: string): { summary: TraceSummary; spans: SpanRecord[] } | undefined {
      const trace = traces.get(traceId)
      return (
        trace && {
          summary: summaryOf(trace),
          spans: orderedSpans(recordsOf(trace)),
        }
      )
    },

    /** The latest `limit` matching lines, oldest first. */
    findLogs(filter: LogFilter): LogEntry[] {
      const found: LogEntry[] = []
      for (let i = logs.length - 1; i >= head && found.length < filter.limit; i--) {
        const entry = logs[i]
        if (entry && logMatches(filter, entry)) found.push(entry)
      }
      return found.reverse()
    },

    metrics(service?: string): MetricSummary[] {
      return [...metrics.values()].filter((m) => service === undefined || m.service === service)
    },

    stats() {
      return {
        traces: { count: traces.size, spans: spanCount, bytes: traceBytes, limitBytes: traceBudget },
        logs: { count: logs.length - head, bytes: logBytes, limitBytes: logBudget },
        metrics: { count: metrics.size },
        kept: { spans: totals.spans, logs: totals.logs },
        evicted: { traces: totals.evictedTraces, spans: totals.evictedSpans, logs: totals.evictedLogs },
      }
    },
  }
}

export type TelemetryStore = ReturnType<typeof createTelemetryStore>
