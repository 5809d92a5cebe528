import type { SpanRecord } from './telemetry.js'

/** The span attribute that ties a span to an order (set by the chassis on every span about one). */
export const ORDER_ID_ATTRIBUTE = 'order.id'

/** What is known of a trace from the spans received so far, kept up to date span by span. */
export interface TraceFacts {
  traceId: string
  startMs: number
  endMs: number
  spanCount: number
  /** In the order they were first seen (short lists: a trace touches a dozen services, not thousands). */
  services: string[]
  operations: string[]
  orderIds: string[]
  errors: number
  /** The earliest span without a parent; until one came, the earliest span. */
  root: SpanRecord | undefined
}

/** One line of a trace list. */
export interface TraceSummary {
  traceId: string
  rootService: string
  rootOperation: string
  /** ISO 8601. */
  start: string
  startMs: number
  durationMs: number
  spanCount: number
  services: string[]
  error: boolean
}

export const newTraceFacts = (traceId: string): TraceFacts => ({
  traceId,
  startMs: Number.POSITIVE_INFINITY,
  endMs: Number.NEGATIVE_INFINITY,
  spanCount: 0,
  services: [],
  operations: [],
  orderIds: [],
  errors: 0,
  root: undefined,
})

const isBetterRoot = (span: SpanRecord, current: SpanRecord | undefined) =>
  !current ||
  (span.parentSpanId === null && current.parentSpanId !== null) ||
  ((span.parentSpanId === null) === (current.parentSpanId === null) && span.startMs < current.startMs)

const addOnce = (list: string[], value: string) => {
  if (!list.includes(value)) list.push(value)
}

/** Folds one more span of the trace into its facts. */
export function addSpanToFacts(facts: TraceFacts, span: SpanRecord): void {
  facts.spanCount++
  facts.startMs = Math.min(facts.startMs, span.startMs)
  facts.endMs = Math.max(facts.endMs, span.startMs + span.durationMs)
  addOnce(facts.services, span.service)
  addOnce(facts.operations, span.name)
  const orderId = span.attributes[ORDER_ID_ATTRIBUTE]
  if (typeof orderId === 'string' || typeof orderId === 'number') addOnce(facts.orderIds, String(orderId))
  if (span.status.code === 'error') facts.errors++
  if (isBetterRoot(span, facts.root)) facts.root = span
}

export function summaryOf(facts: TraceFacts): TraceSummary {
  const durationMs = facts.spanCount > 0 ? facts.endMs - facts.startMs : 0
  return {
    traceId: facts.traceId,
    rootService: facts.root?.service ?? '',
    rootOperation: facts.root?.name ?? '',
    start: facts.spanCount > 0 ? new Date(facts.startMs).toISOString() : '',
    startMs: facts.spanCount > 0 ? facts.startMs : 0,
    durationMs: Math.round(durationMs * 1000) / 1000,
    spanCount: facts.spanCount,
    services: [...facts.services],
    error: facts.errors > 0,
  }
}

/** Which traces a list shows; every criterion given must hold. */
export interface TraceFilter {
  service?: string
  operation?: string
  minDurationMs?: number
  errorsOnly: boolean
  orderId?: string
  /** The trace started at or after this time (ms since the epoch). */
  fromMs?: number
  /** … and at or before this one. */
  toMs?: number
  limit: number
}

export function traceMatches(filter: TraceFilter, facts: TraceFacts): boolean {
  if (filter.service !== undefined && !facts.services.includes(filter.service)) return false
  if (filter.operation !== undefined && !facts.operations.includes(filter.operation)) return false
  if (filter.orderId !== undefined && !facts.orderIds.includes(filter.orderId)) return false
  if (filter.errorsOnly && facts.errors === 0) return false
  if (filter.minDurationMs !== undefined && facts.endMs - facts.startMs < filter.minDurationMs) return false
  if (filter.fromMs !== undefined && facts.startMs < filter.fromMs) return false
  if (filter.toMs !== undefined && facts.startMs > filter.toMs) return false
  return true
}

/** A trace's spans for a client to draw: by start time, parents before their children when they tie. */
export function orderedSpans(spans: readonly SpanRecord[]): SpanRecord[] {
  return [...spans].sort(
    (a, b) =>
      a.startMs - b.startMs ||
      Number(a.parentSpanId !== null) - Number(b.parentSpanId !== null) ||
      b.durationMs - a.durationMs,
  )
}
