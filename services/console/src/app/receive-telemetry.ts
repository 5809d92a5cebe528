import type { Metrics } from '@microshop/chassis'
import { serviceCounter } from '@microshop/chassis'
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from '../domain/otlp-json.js'
import { decodeLogsProtobuf, decodeMetricsProtobuf, decodeTracesProtobuf } from '../domain/otlp-protobuf.js'
import type { Signal } from '../domain/telemetry.js'
import type { TelemetryStore } from '../store/telemetry-store.js'
import type { LogFeed } from './log-feed.js'

export type Encoding = 'protobuf' | 'json'

/** Why a request was refused, as counted. */
export type RejectReason = 'malformed' | 'too_large' | 'unsupported_media_type' | 'unsupported_encoding'

/** The receiver's counters, on the console's own /metrics. */
function createCounters(metrics: Metrics) {
  return {
    requests: serviceCounter(
      metrics,
      'console_otlp_requests_total',
      'OTLP export requests, by signal and outcome (accepted, or the reason it was rejected)',
      ['signal', 'outcome'],
    ),
    received: serviceCounter(
      metrics,
      'console_telemetry_received_total',
      'Spans, log records and metric data points received in accepted requests',
      ['signal'],
    ),
    evicted: serviceCounter(
      metrics,
      'console_telemetry_evicted_total',
      'Spans and log records evicted, oldest first, to stay within CONSOLE_MAX_BYTES',
      ['signal'],
    ),
    dropped: serviceCounter(
      metrics,
      'console_telemetry_dropped_total',
      'Spans received but not kept: duplicates of a kept span, or past CONSOLE_MAX_SPANS_PER_TRACE',
      ['signal', 'reason'],
    ),
  }
}

const DECODERS = {
  logs: { protobuf: decodeLogsProtobuf, json: decodeLogsJson },
  metrics: { protobuf: decodeMetricsProtobuf, json: decodeMetricsJson },
} as const

/** The OTLP receiver's use case: decode one export request, keep what it holds, count it all. */
export function createReceiver(deps: { store: TelemetryStore; feed: LogFeed; metrics: Metrics }) {
  const counters = createCounters(deps.metrics)
  return {
    /** Decodes and keeps one request's content; a malformed body throws CONSOLE_MALFORMED_* and keeps nothing. */
    receive(signal: Signal, encoding: Encoding, body: Uint8Array): void {
      try {
        if (signal === 'traces') {
          // protobuf spans are kept as their bytes (see the store); JSON ones as decoded
          const raw: Uint8Array[] | undefined = encoding === 'protobuf' ? [] : undefined
          const spans = raw ? decodeTracesProtobuf(body, raw) : decodeTracesJson(body)
          const outcome = deps.store.addSpans(spans, raw)
          counters.received.inc({ signal }, spans.length)
          counters.evicted.inc({ signal }, outcome.evicted)
          counters.dropped.inc({ signal, reason: 'duplicate' }, outcome.duplicates)
          counters.dropped.inc({ signal, reason: 'trace_span_limit' }, outcome.overLimit)
        } else if (signal === 'logs') {
          const entries = DECODERS.logs[encoding](body)
          const outcome = deps.store.addLogs(entries)
          deps.feed.publish(entries)
          counters.received.inc({ signal }, entries.length)
          counters.evicted.inc({ signal }, outcome.evicted)
        } else {
          const summaries = DECODERS.metrics[encoding](body)
          deps.store.putMetrics(summaries)
          counters.received.inc(
            { signal },
            summaries.reduce((sum, m) => sum + m.points, 0),
          )
        }
      } catch (err) {
        counters.requests.inc({ signal, outcome: 'malformed' })
        throw err
      }
      counters.requests.inc({ signal, outcome: 'accepted' })
    },

    /** Counts a request refused before its body was decoded. */
    rejected(signal: Signal, reason: RejectReason): void {
      counters.requests.inc({ signal, outcome: reason })
    },
  }
}

export type Receiver = ReturnType<typeof createReceiver>
