import { ConsoleErrors } from './errors.js'
import {
  type Attributes,
  type AttributeValue,
  int64Value,
  isZeroId,
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
} from './telemetry.js'

// OTLP/JSON (the OTLP specification, "JSON Protobuf Encoding"): the protobuf messages in the proto3 JSON
// mapping, with lowerCamelCase keys, trace and span ids as hex (not base64), enums as numbers, 64-bit
// integers as strings or numbers. Unknown keys are ignored, as a protobuf decoder skips unknown fields.

class JsonShapeError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`)
  }
}

type Obj = Record<string, unknown>
const MAX_DEPTH = 32

const fail = (path: string, message: string) => new JsonShapeError(path, message)

function obj(v: unknown, path: string): Obj {
  if (v === undefined || v === null) return {}
  if (typeof v !== 'object' || Array.isArray(v)) throw fail(path, 'expected an object')
  return v as Obj
}

function list(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) throw fail(path, 'expected an array')
  return v
}

function str(v: unknown, path: string): string {
  if (v === undefined || v === null) return ''
  if (typeof v !== 'string') throw fail(path, 'expected a string')
  return v
}

function int64(v: unknown, path: string): bigint {
  if (v === undefined || v === null) return 0n
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) return BigInt(v)
  throw fail(path, 'expected an integer (a number or a decimal string)')
}

function uint64(v: unknown, path: string): bigint {
  const n = int64(v, path)
  if (n < 0n) throw fail(path, 'expected an unsigned integer')
  return n
}

function double(v: unknown, path: string): number {
  if (typeof v === 'number') return v
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v)
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
  throw fail(path, 'expected a number')
}

/** An enum: its number, or its name as the proto3 JSON mapping also allows (`SPAN_KIND_SERVER`). */
function enumValue(v: unknown, path: string, names: readonly string[]): number {
  if (v === undefined || v === null) return 0
  if (typeof v === 'number' && Number.isInteger(v)) return v
  if (typeof v === 'string' && names.includes(v)) return names.indexOf(v)
  throw fail(path, 'expected an enum number')
}

function id(v: unknown, length: number, path: string, optional: boolean): string | null {
  const hex = str(v, path).toLowerCase()
  if (hex === '' && optional) return null
  if (hex.length !== length * 2 || !/^[0-9a-f]*$/.test(hex))
    throw fail(path, `expected ${length * 2} hex characters`)
  if (isZeroId(hex)) throw fail(path, 'must not be all zeroes')
  return hex
}

const requiredId = (v: unknown, length: number, path: string) => id(v, length, path, false) as string

function anyValue(v: unknown, path: string, depth = 0): AttributeValue {
  if (depth > MAX_DEPTH) throw fail(path, `values nested deeper than ${MAX_DEPTH}`)
  const o = obj(v, path)
  if ('stringValue' in o) return str(o.stringValue, `${path}.stringValue`)
  if ('boolValue' in o) {
    if (typeof o.boolValue !== 'boolean') throw fail(`${path}.boolValue`, 'expected a boolean')
    return o.boolValue
  }
  if ('intValue' in o) return int64Value(int64(o.intValue, `${path}.intValue`))
  if ('doubleValue' in o) return double(o.doubleValue, `${path}.doubleValue`)
  if ('arrayValue' in o) {
    const at = `${path}.arrayValue.values`
    return list(obj(o.arrayValue, `${path}.arrayValue`).values, at).map((item, i) =>
      anyValue(item, `${at}[${i}]`, depth + 1),
    )
  }
  if ('kvlistValue' in o) {
    const at = `${path}.kvlistValue`
    return attributes(obj(o.kvlistValue, at).values, `${at}.values`, depth + 1)
  }
  if ('bytesValue' in o) return str(o.bytesValue, `${path}.bytesValue`)
  return null
}

function attributes(v: unknown, path: string, depth = 0): Attributes {
  const out: Attributes = {}
  list(v, path).forEach((item, i) => {
    const kv = obj(item, `${path}[${i}]`)
    out[str(kv.key, `${path}[${i}].key`)] = anyValue(kv.value, `${path}[${i}].value`, depth)
  })
  return out
}

/** `{ <resourceKey>: [{ resource, <scopeKey>: [{ scope, <itemKey>: [...] }] }] }` walked, each item read. */
function walk<T>(
  body: unknown,
  keys: [resource: string, scope: string, item: string],
  readItem: (item: Obj, path: string, scope: string) => Omit<T, 'service' | 'instance'>,
): T[] {
  const [resourceKey, scopeKey, itemKey] = keys
  const out: T[] = []
  list(obj(body, 'body')[resourceKey], resourceKey).forEach((group, i) => {
    const groupPath = `${resourceKey}[${i}]`
    const g = obj(group, groupPath)
    const resource = obj(g.resource, `${groupPath}.resource`)
    const { service, instance } = serviceOf(
      attributes(resource.attributes, `${groupPath}.resource.attributes`),
    )
    list(g[scopeKey], `${groupPath}.${scopeKey}`).forEach((scoped, j) => {
      const scopePath = `${groupPath}.${scopeKey}[${j}]`
      const s = obj(scoped, scopePath)
      const scope = str(obj(s.scope, `${scopePath}.scope`).name, `${scopePath}.scope.name`)
      list(s[itemKey], `${scopePath}.${itemKey}`).forEach((item, k) => {
        const itemPath = `${scopePath}.${itemKey}[${k}]`
        out.push({ ...readItem(obj(item, itemPath), itemPath, scope), service, instance } as T)
      })
    })
  })
  return out
}

const SPAN_KINDS = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
]
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR']
// SEVERITY_NUMBER_UNSPECIFIED, SEVERITY_NUMBER_TRACE, SEVERITY_NUMBER_TRACE2 … SEVERITY_NUMBER_FATAL4
const SEVERITY_NUMBERS = [
  'SEVERITY_NUMBER_UNSPECIFIED',
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((level) =>
    ['', '2', '3', '4'].map((n) => `SEVERITY_NUMBER_${level}${n}`),
  ),
]

function span(s: Obj, path: string, scope: string): Omit<SpanRecord, 'service' | 'instance'> {
  const start = uint64(s.startTimeUnixNano, `${path}.startTimeUnixNano`)
  const end = uint64(s.endTimeUnixNano, `${path}.endTimeUnixNano`)
  const status = obj(s.status, `${path}.status`)
  return {
    traceId: requiredId(s.traceId, 16, `${path}.traceId`),
    spanId: requiredId(s.spanId, 8, `${path}.spanId`),
    parentSpanId: id(s.parentSpanId, 8, `${path}.parentSpanId`, true),
    name: str(s.name, `${path}.name`),
    kind: spanKindOf(enumValue(s.kind, `${path}.kind`, SPAN_KINDS)),
    scope,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: end.toString(),
    startMs: nanosToMs(start),
    durationMs: end > start ? Number(end - start) / 1e6 : 0,
    status: {
      code: statusCodeOf(enumValue(status.code, `${path}.status.code`, STATUS_CODES)),
      message: str(status.message, `${path}.status.message`),
    },
    attributes: attributes(s.attributes, `${path}.attributes`),
    events: list(s.events, `${path}.events`).map((e, i): SpanEvent => {
      const at = `${path}.events[${i}]`
      const event = obj(e, at)
      return {
        timeUnixNano: uint64(event.timeUnixNano, `${at}.timeUnixNano`).toString(),
        name: str(event.name, `${at}.name`),
        attributes: attributes(event.attributes, `${at}.attributes`),
      }
    }),
    links: list(s.links, `${path}.links`).map((l, i): SpanLink => {
      const at = `${path}.links[${i}]`
      const link = obj(l, at)
      return {
        traceId: requiredId(link.traceId, 16, `${at}.traceId`),
        spanId: requiredId(link.spanId, 8, `${at}.spanId`),
        attributes: attributes(link.attributes, `${at}.attributes`),
      }
    }),
  }
}

function logRecord(l: Obj, path: string): Omit<LogEntry, 'service' | 'instance'> {
  const time = uint64(l.timeUnixNano, `${path}.timeUnixNano`)
  const observed = uint64(l.observedTimeUnixNano, `${path}.observedTimeUnixNano`)
  const at = time > 0n ? time : observed
  const severityText = str(l.severityText, `${path}.severityText`)
  const severity = severityOf(
    enumValue(l.severityNumber, `${path}.severityNumber`, SEVERITY_NUMBERS),
    severityText,
  )
  return {
    timeUnixNano: at.toString(),
    timeMs: nanosToMs(at),
    severityNumber: severity,
    severityText,
    level: levelOf(severity),
    message: messageOf(anyValue(l.body, `${path}.body`)),
    attributes: attributes(l.attributes, `${path}.attributes`),
    traceId: id(l.traceId, 16, `${path}.traceId`, true),
    spanId: id(l.spanId, 8, `${path}.spanId`, true),
  }
}

const METRIC_KEYS: Record<string, MetricType> = {
  gauge: 'gauge',
  sum: 'sum',
  histogram: 'histogram',
  exponentialHistogram: 'exponential_histogram',
  summary: 'summary',
}

function metric(m: Obj, path: string): Omit<MetricSummary, 'service' | 'instance'> {
  const out: Omit<MetricSummary, 'service' | 'instance'> = {
    name: str(m.name, `${path}.name`),
    description: str(m.description, `${path}.description`),
    unit: str(m.unit, `${path}.unit`),
    type: 'unknown',
    points: 0,
    latest: null,
    timeMs: 0,
  }
  const key = Object.keys(METRIC_KEYS).find((k) => m[k] !== undefined)
  if (!key) return out
  const at = `${path}.${key}.dataPoints`
  const points = list(obj(m[key], `${path}.${key}`).dataPoints, at)
  out.type = METRIC_KEYS[key] ?? 'unknown'
  out.points = points.length
  if (out.type !== 'gauge' && out.type !== 'sum') return out
  let latest = -1n
  points.forEach((p, i) => {
    const point = obj(p, `${at}[${i}]`)
    const time = uint64(point.timeUnixNano, `${at}[${i}].timeUnixNano`)
    if (time < latest) return
    latest = time
    out.timeMs = nanosToMs(time)
    if (point.asDouble !== undefined) out.latest = double(point.asDouble, `${at}[${i}].asDouble`)
    else if (point.asInt !== undefined) out.latest = Number(int64(point.asInt, `${at}[${i}].asInt`))
  })
  return out
}

function decode<T>(bytes: Uint8Array, what: string, read: (body: unknown) => T[]): T[] {
  let body: unknown
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (err) {
    throw ConsoleErrors.malformedJson(what, (err as Error).message)
  }
  try {
    return read(body)
  } catch (err) {
    if (err instanceof JsonShapeError) throw ConsoleErrors.malformedJson(what, err.message)
    throw err
  }
}

/** An ExportTraceServiceRequest in OTLP/JSON. */
export const decodeTracesJson = (bytes: Uint8Array): SpanRecord[] =>
  decode(bytes, 'ExportTraceServiceRequest', (body) =>
    walk<SpanRecord>(body, ['resourceSpans', 'scopeSpans', 'spans'], span),
  )

/** An ExportLogsServiceRequest in OTLP/JSON. */
export const decodeLogsJson = (bytes: Uint8Array): LogEntry[] =>
  decode(bytes, 'ExportLogsServiceRequest', (body) =>
    walk<LogEntry>(body, ['resourceLogs', 'scopeLogs', 'logRecords'], logRecord),
  )

/** An ExportMetricsServiceRequest in OTLP/JSON. */
export const decodeMetricsJson = (bytes: Uint8Array): MetricSummary[] =>
  decode(bytes, 'ExportMetricsServiceRequest', (body) =>
    walk<MetricSummary>(body, ['resourceMetrics', 'scopeMetrics', 'metrics'], metric),
  )
