import { type LogFilter, logMatches } from '../domain/logs.js'
import type { LogEntry, MetricSummary, SpanRecord } from '../domain/telemetry.js'
import {
  addSpanToFacts,
  newTraceFacts,
  orderedSpans,
  summaryOf,
  type TraceFacts,
  type TraceFilter,
  type TraceSummary,
  traceMatches,
} from '../domain/traces.js'

// Recent telemetry in memory, within a byte budget: each record is measured once, as the length of its JSON
// (the heap it keeps is 0.85–1 times that, measured on chassis-like spans and log lines), and the oldest go
// first when a budget is full.
// Traces and logs have a half each, so a flood of logs cannot push out every trace, nor the reverse.
// A trace is "old" by its last span: one still receiving spans (a saga in progress) stays.

// what a record costs beyond its JSON: the object, its place in the indexes
const SPAN_OVERHEAD = 64
const LOG_OVERHEAD = 64
const TRACE_OVERHEAD = 512
const MAX_METRICS = 2_000

export interface TelemetryStoreOptions {
  maxBytes: number
  maxSpansPerTrace: number
}

interface StoredTrace extends TraceFacts {
  spans: SpanRecord[]
  spanIds: Set<string>
  bytes: number
}

/** What one add did: kept, evicted to make room, and refused (duplicates, spans past a trace's limit). */
export interface AddOutcome {
  kept: number
  evicted: number
  duplicates: number
  overLimit: number
}

const sizeOf = (record: unknown) => JSON.stringify(record).length

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
    addSpans(spans: readonly SpanRecord[]): AddOutcome {
      const outcome: AddOutcome = { kept: 0, evicted: 0, duplicates: 0, overLimit: 0 }
      for (const span of spans) {
        let trace = traces.get(span.traceId)
        if (trace?.spanIds.has(span.spanId)) {
          outcome.duplicates++
          continue
        }
        if (trace && trace.spanCount >= opts.maxSpansPerTrace) {
          outcome.overLimit++
          continue
        }
        if (trace) traces.delete(span.traceId)
        else {
          trace = { ...newTraceFacts(span.traceId), spans: [], spanIds: new Set(), bytes: TRACE_OVERHEAD }
          traceBytes += TRACE_OVERHEAD
        }
        // re-inserted: the Map's order is the order of last change
        traces.set(span.traceId, trace)
        const bytes = sizeOf(span) + SPAN_OVERHEAD
        trace.spans.push(span)
        trace.spanIds.add(span.spanId)
        addSpanToFacts(trace, span)
        trace.bytes += bytes
        traceBytes += bytes
        spanCount++
        outcome.kept++
      }
      totals.spans += outcome.kept
      for (const oldest of traces.values()) {
        if (traceBytes <= traceBudget) break
        outcome.evicted += evictTrace(oldest)
      }
      return outcome
    },

    addLogs(entries: readonly LogEntry[]): AddOutcome {
      const outcome: AddOutcome = { kept: entries.length, evicted: 0, duplicates: 0, overLimit: 0 }
      for (const entry of entries) {
        const bytes = sizeOf(entry) + LOG_OVERHEAD
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
      return trace && { summary: summaryOf(trace), spans: orderedSpans(trace.spans) }
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
