import { randomBytes } from 'node:crypto'
import type { LogEntry, SpanRecord } from '../src/domain/telemetry.js'

export const newTraceId = () => randomBytes(16).toString('hex')
export const newSpanId = () => randomBytes(8).toString('hex')

const T0 = 1_700_000_000_000

/** A decoded span, with what a test does not say filled in. */
export function spanRecord(overrides: Partial<SpanRecord> = {}): SpanRecord {
  const startMs = overrides.startMs ?? T0
  const durationMs = overrides.durationMs ?? 10
  return {
    traceId: newTraceId(),
    spanId: newSpanId(),
    parentSpanId: null,
    name: 'GET /api/products',
    kind: 'server',
    service: 'gateway',
    instance: 'gateway-1',
    scope: 'microshop',
    startTimeUnixNano: String(BigInt(Math.round(startMs * 1000)) * 1000n),
    endTimeUnixNano: String(BigInt(Math.round((startMs + durationMs) * 1000)) * 1000n),
    startMs,
    durationMs,
    status: { code: 'unset', message: '' },
    attributes: {},
    events: [],
    links: [],
    ...overrides,
  }
}

/** A decoded log line, with what a test does not say filled in. */
export function logEntry(overrides: Partial<LogEntry> = {}): LogEntry {
  const timeMs = overrides.timeMs ?? T0
  return {
    timeUnixNano: String(BigInt(Math.round(timeMs)) * 1_000_000n),
    timeMs,
    service: 'orders',
    instance: 'orders-1',
    severityNumber: 9,
    severityText: 'info',
    level: 'info',
    message: 'order placed',
    attributes: {},
    traceId: null,
    spanId: null,
    ...overrides,
  }
}

const anyValue = (v: unknown) =>
  typeof v === 'number'
    ? Number.isInteger(v)
      ? { intValue: String(v) }
      : { doubleValue: v }
    : typeof v === 'boolean'
      ? { boolValue: v }
      : { stringValue: String(v) }

const keyValues = (attributes: Record<string, unknown>) =>
  Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }))

const nanos = (ms: number) => String(BigInt(Math.round(ms * 1000)) * 1000n)

export interface SpanSpec {
  traceId: string
  spanId: string
  parentSpanId?: string
  service: string
  name: string
  startMs: number
  durationMs: number
  error?: boolean
  attributes?: Record<string, unknown>
}

/** An OTLP/JSON ExportTraceServiceRequest, one resource per service, as an SDK would send it. */
export function tracesJson(spans: SpanSpec[]): string {
  const services = [...new Set(spans.map((s) => s.service))]
  return JSON.stringify({
    resourceSpans: services.map((service) => ({
      resource: { attributes: keyValues({ 'service.name': service, 'service.instance.id': `${service}-1` }) },
      scopeSpans: [
        {
          scope: { name: 'microshop' },
          spans: spans
            .filter((s) => s.service === service)
            .map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              kind: 2,
              startTimeUnixNano: nanos(s.startMs),
              endTimeUnixNano: nanos(s.startMs + s.durationMs),
              attributes: keyValues(s.attributes ?? {}),
              status: { code: s.error ? 2 : 0, message: s.error ? 'failed' : '' },
            })),
        },
      ],
    })),
  })
}

export interface LogSpec {
  service: string
  timeMs: number
  severityNumber: number
  message: string
  traceId?: string
  spanId?: string
  attributes?: Record<string, unknown>
}

/** An OTLP/JSON ExportLogsServiceRequest. */
export function logsJson(lines: LogSpec[]): string {
  return JSON.stringify({
    resourceLogs: lines.map((l) => ({
      resource: {
        attributes: keyValues({ 'service.name': l.service, 'service.instance.id': `${l.service}-1` }),
      },
      scopeLogs: [
        {
          logRecords: [
            {
              timeUnixNano: nanos(l.timeMs),
              severityNumber: l.severityNumber,
              body: { stringValue: l.message },
              attributes: keyValues(l.attributes ?? {}),
              traceId: l.traceId ?? '',
              spanId: l.spanId ?? '',
            },
          ],
        },
      ],
    })),
  })
}
