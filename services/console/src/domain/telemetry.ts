// What the console keeps of OTLP, whichever encoding it came in: plain JSON-ready data.

/** An attribute's value; bytes are kept as base64, 64-bit integers beyond 2^53 as decimal strings. */
export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue }

export type Attributes = Record<string, AttributeValue>

export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer'
export type StatusCodeName = 'unset' | 'ok' | 'error'

export interface SpanEvent {
  timeUnixNano: string
  name: string
  attributes: Attributes
}

export interface SpanLink {
  traceId: string
  spanId: string
  attributes: Attributes
}

/** One span, with the service that made it (its resource's service.name). */
export interface SpanRecord {
  traceId: string
  spanId: string
  /** null for a root span. */
  parentSpanId: string | null
  name: string
  kind: SpanKindName
  service: string
  instance: string | null
  scope: string
  startTimeUnixNano: string
  endTimeUnixNano: string
  /** Milliseconds since the epoch, with microseconds as the fraction. */
  startMs: number
  durationMs: number
  status: { code: StatusCodeName; message: string }
  attributes: Attributes
  events: SpanEvent[]
  links: SpanLink[]
}

export type LevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'unspecified'

/** One log line; the message is the body when it is a string, else the body as JSON. */
export interface LogEntry {
  timeUnixNano: string
  timeMs: number
  service: string
  instance: string | null
  /** 1–24 as OTLP numbers them (0 when the sender gave none), derived from the text when only that came. */
  severityNumber: number
  severityText: string
  level: LevelName
  message: string
  attributes: Attributes
  traceId: string | null
  spanId: string | null
}

export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary' | 'unknown'

/** What is kept of one metric as last exported: its name and shape, not its series. */
export interface MetricSummary {
  service: string
  instance: string | null
  name: string
  description: string
  unit: string
  type: MetricType
  /** Data points in the last export. */
  points: number
  /** The value of the latest data point, for gauges and sums. */
  latest: number | null
  timeMs: number
}

/** The decoded content of one OTLP request. */
export type Decoded<S extends Signal> = S extends 'traces'
  ? SpanRecord[]
  : S extends 'logs'
    ? LogEntry[]
    : MetricSummary[]

export type Signal = 'traces' | 'logs' | 'metrics'

export const UNKNOWN_SERVICE = 'unknown_service'

const SPAN_KINDS: SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']
const STATUS_CODES: StatusCodeName[] = ['unset', 'ok', 'error']

export const spanKindOf = (n: number): SpanKindName => SPAN_KINDS[n] ?? 'unspecified'
export const statusCodeOf = (n: number): StatusCodeName => STATUS_CODES[n] ?? 'unset'

/** The lowest severity number of each level (OTLP: TRACE 1–4, DEBUG 5–8, … FATAL 21–24). */
export const LEVEL_FLOOR: Record<Exclude<LevelName, 'unspecified'>, number> = {
  trace: 1,
  debug: 5,
  info: 9,
  warn: 13,
  error: 17,
  fatal: 21,
}

export function levelOf(severityNumber: number): LevelName {
  if (severityNumber >= 21) return 'fatal'
  if (severityNumber >= 17) return 'error'
  if (severityNumber >= 13) return 'warn'
  if (severityNumber >= 9) return 'info'
  if (severityNumber >= 5) return 'debug'
  if (severityNumber >= 1) return 'trace'
  return 'unspecified'
}

const TEXT_LEVELS: Record<string, number> = {
  trace: 1,
  debug: 5,
  info: 9,
  information: 9,
  warn: 13,
  warning: 13,
  error: 17,
  fatal: 21,
  critical: 21,
}

/** The severity number, from the sender's number or, when it sent only a text, from the text. */
export const severityOf = (num: number, text: string): number =>
  num > 0 && num <= 24 ? num : (TEXT_LEVELS[text.trim().toLowerCase()] ?? 0)

/** Nanoseconds since the epoch (a decimal string) as fractional milliseconds. */
export const nanosToMs = (nanos: bigint): number => Number(nanos / 1000n) / 1000

/** Bytes as lowercase hex: one flat string (a string built byte by byte is a chain of pieces in the heap). */
export const toHex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')

export const isZeroId = (hex: string) => /^0*$/.test(hex)

const MAX_INTERNED = 8_192
const MAX_INTERNED_LENGTH = 64
const interned = new Map<string, string>()

/**
 * The one kept copy of a short string telemetry repeats (attribute keys, span names, services, most values),
 * so thousands of stored spans share it instead of holding a copy each. Bounded: the table starts afresh
 * when full.
 */
export function intern(value: string): string {
  if (value.length > MAX_INTERNED_LENGTH) return value
  const kept = interned.get(value)
  if (kept !== undefined) return kept
  if (interned.size >= MAX_INTERNED) interned.clear()
  interned.set(value, value)
  return value
}

/** Bytes as base64, for a bytes attribute value. */
export function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary)
}

/** An int64 as a number when it is exact, else as its decimal string. */
export const int64Value = (v: bigint | number): number | string =>
  typeof v === 'number'
    ? v
    : v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(v)
      : v.toString()

/** The service and instance a resource names (semantic conventions service.name, service.instance.id). */
export function serviceOf(resource: Attributes): { service: string; instance: string | null } {
  const name = resource['service.name']
  const instance = resource['service.instance.id']
  return {
    service: typeof name === 'string' && name !== '' ? name : UNKNOWN_SERVICE,
    instance: typeof instance === 'string' && instance !== '' ? instance : null,
  }
}

/** The message of a log line: its body when a string, else the body as JSON. */
export const messageOf = (body: AttributeValue): string =>
  typeof body === 'string' ? body : body === null ? '' : JSON.stringify(body)
