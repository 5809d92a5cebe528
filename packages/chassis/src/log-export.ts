import type { DestinationStream } from 'pino'
import { otlpPoster } from './otlp-post.js'

// pino's levels as OTLP severity numbers (the OpenTelemetry log data model)
const SEVERITY: Record<number, [number, string]> = {
  10: [1, 'TRACE'],
  20: [5, 'DEBUG'],
  30: [9, 'INFO'],
  40: [13, 'WARN'],
  50: [17, 'ERROR'],
  60: [21, 'FATAL'],
}
// carried by the resource or the record itself: not repeated as attributes
const OWN_FIELDS = new Set([
  'level',
  'time',
  'msg',
  'service',
  'instance',
  'pid',
  'hostname',
  'trace_id',
  'span_id',
])
const MAX_BUFFER = 8_192
const BATCH = 512
const MAX_ATTRIBUTE_LENGTH = 2_000

type AnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }

const anyValue = (v: unknown): AnyValue => {
  if (typeof v === 'boolean') return { boolValue: v }
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v }
  const text = typeof v === 'string' ? v : JSON.stringify(v)
  return { stringValue: text.slice(0, MAX_ATTRIBUTE_LENGTH) }
}

export interface LogExporter {
  /** Where pino writes: each line is queued as an OTLP log record. */
  stream: DestinationStream
  /** Sends what is queued within timeoutMs, then stops. */
  shutdown(timeoutMs: number): Promise<void>
}

/**
 * Ships a service's log lines to an OTLP/HTTP receiver (`<endpoint>/v1/logs`, JSON encoding) in the
 * background: batches every second, a bounded queue, and lines dropped (counted) rather than ever waited for.
 */
export function createLogExporter(opts: {
  endpoint: string
  service: string
  instance: string
  onDrop?: (count: number) => void
}): LogExporter {
  const post = otlpPoster(`${opts.endpoint.replace(/\/$/, '')}/v1/logs`, 'application/json', 'LOGS')
  const resource = {
    attributes: [
      { key: 'service.name', value: { stringValue: opts.service } },
      { key: 'service.instance.id', value: { stringValue: opts.instance } },
    ],
  }
  const queue: object[] = []
  let sending: Promise<void> | undefined
  const drop = (n: number): void => {
    if (n > 0) opts.onDrop?.(n)
  }

  const toRecord = (line: string) => {
    const entry = JSON.parse(line) as Record<string, unknown>
    const [severityNumber, severityText] = SEVERITY[entry.level as number] ?? [9, 'INFO']
    const attributes = Object.entries(entry)
      .filter(([key]) => !OWN_FIELDS.has(key))
      .map(([key, value]) => ({ key, value: anyValue(value) }))
    return {
      timeUnixNano: `${BigInt(entry.time as number) * 1_000_000n}`,
      severityNumber,
      severityText,
      body: { stringValue: String(entry.msg ?? '') },
      attributes,
      ...(entry.trace_id ? { traceId: entry.trace_id, spanId: entry.span_id } : {}),
    }
  }

  const sendOnce = (): Promise<void> => {
    if (sending || queue.length === 0) return sending ?? Promise.resolve()
    const logRecords = queue.splice(0, BATCH)
    sending = post(
      JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ scope: { name: 'pino' }, logRecords }] }] }),
    )
      .then((ok) => {
        if (!ok) drop(logRecords.length)
      })
      .finally(() => {
        sending = undefined
      })
    return sending ?? Promise.resolve()
  }

  const timer = setInterval(() => void sendOnce(), 1_000)
  timer.unref()

  return {
    stream: {
      write(line: string) {
        if (queue.length >= MAX_BUFFER) return drop(1)
        try {
          queue.push(toRecord(line))
        } catch {
          drop(1)
        }
        if (queue.length >= BATCH) void sendOnce()
      },
    },
    async shutdown(timeoutMs) {
      clearInterval(timer)
      const deadline = Date.now() + timeoutMs
      while ((queue.length > 0 || sending) && Date.now() < deadline)
        await Promise.race([
          sendOnce(),
          new Promise((r) => setTimeout(r, Math.max(1, deadline - Date.now()))),
        ])
      drop(queue.splice(0).length)
    },
  }
}
