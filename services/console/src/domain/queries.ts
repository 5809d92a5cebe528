import type { FieldError } from '@microshop/chassis/errors'
import { ConsoleErrors } from './errors.js'
import type { LogFilter } from './logs.js'
import { LEVEL_FLOOR } from './telemetry.js'
import type { TraceFilter } from './traces.js'

// The query strings of the query API, read into filters: every problem reported at once, each parameter named.

export const MAX_LIMIT = 1_000
const TRACE_ID = /^[0-9a-f]{32}$/

type Query = Record<string, unknown>

function reader(query: Query, known: readonly string[]) {
  const fields: FieldError[] = []
  for (const key of Object.keys(query))
    if (!known.includes(key))
      fields.push({ field: key, message: `is not a known parameter (known: ${known.join(', ')})` })

  const text = (key: string): string | undefined => {
    const value = query[key]
    if (value === undefined || value === '') return undefined
    if (typeof value !== 'string') {
      fields.push({ field: key, message: 'is given more than once' })
      return undefined
    }
    return value
  }
  const check = <T>(key: string, parse: (v: string) => T | undefined, expected: string): T | undefined => {
    const raw = text(key)
    if (raw === undefined) return undefined
    const value = parse(raw)
    if (value === undefined)
      fields.push({ field: key, message: `expected ${expected} (got ${JSON.stringify(raw)})` })
    return value
  }
  return {
    text,
    number: (key: string, min: number, max: number) =>
      check(
        key,
        (v) => (/^\d+(\.\d+)?$/.test(v) && Number(v) >= min && Number(v) <= max ? Number(v) : undefined),
        `a number from ${min} to ${max}`,
      ),
    flag: (key: string) =>
      check(key, (v) => ({ true: true, '1': true, false: false, '0': false })[v], 'true, false, 1 or 0') ??
      false,
    // milliseconds since the epoch, or an ISO 8601 time
    time: (key: string) =>
      check(
        key,
        (v) => {
          const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v)
          return Number.isFinite(ms) ? ms : undefined
        },
        'an ISO 8601 time or milliseconds since the epoch',
      ),
    traceId: (key: string) =>
      check(key, (v) => (TRACE_ID.test(v.toLowerCase()) ? v.toLowerCase() : undefined), '32 hex characters'),
    oneOf: <T extends string>(key: string, values: readonly T[]) =>
      check(key, (v) => values.find((x) => x === v.toLowerCase()), `one of ${values.join(', ')}`),
    done<T>(value: T): T {
      if (fields.length > 0) throw ConsoleErrors.invalidQuery(fields)
      return value
    },
  }
}

const TRACE_PARAMS = [
  'service',
  'operation',
  'minDurationMs',
  'error',
  'orderId',
  'from',
  'to',
  'limit',
] as const

/** `?service=&operation=&minDurationMs=&error=true&orderId=&from=&to=&limit=` (limit 20 by default). */
export function parseTraceQuery(query: Query): TraceFilter {
  const q = reader(query, TRACE_PARAMS)
  return q.done({
    service: q.text('service'),
    operation: q.text('operation'),
    minDurationMs: q.number('minDurationMs', 0, Number.MAX_SAFE_INTEGER),
    errorsOnly: q.flag('error'),
    orderId: q.text('orderId'),
    fromMs: q.time('from'),
    toMs: q.time('to'),
    limit: q.number('limit', 1, MAX_LIMIT) ?? 20,
  })
}

const LOG_PARAMS = ['service', 'instance', 'level', 'traceId', 'q', 'from', 'to', 'limit', 'follow'] as const
const LEVELS = Object.keys(LEVEL_FLOOR) as (keyof typeof LEVEL_FLOOR)[]

/** `?service=&instance=&level=&traceId=&q=&from=&to=&limit=&follow=1` (limit 100 by default). */
export function parseLogQuery(query: Query): LogFilter & { follow: boolean } {
  const q = reader(query, LOG_PARAMS)
  return q.done({
    service: q.text('service'),
    instance: q.text('instance'),
    level: q.oneOf('level', LEVELS),
    traceId: q.traceId('traceId'),
    text: q.text('q'),
    fromMs: q.time('from'),
    toMs: q.time('to'),
    limit: q.number('limit', 1, MAX_LIMIT) ?? 100,
    follow: q.flag('follow'),
  })
}

/** A trace id from a path, checked. */
export function parseTraceId(raw: string): string {
  const q = reader({ traceId: raw }, ['traceId'])
  return q.done(q.traceId('traceId') ?? '')
}
