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
  // The root: the earliest span without a parent; until one came, the earliest span. Its fields, not an
  // object: a store keeps thousands of traces of one span each, and every object kept costs collections.
  rootService: string
  rootName: string
  /** Whether the span standing for the root has a parent; undefined until a span came. */
  rootHasParent: boolean | undefined
  rootStartMs: number
}

// most traces concern no order: they share this empty list until one does (frozen: none can grow it)
export const NO_ORDERS: string[] = Object.freeze([]) as unknown as string[]

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
  orderIds: NO_ORDERS,
  errors: 0,
  rootService: '',
  rootName: '',
  rootHasParent: undefined,
  rootStartMs: 0,
})

const isBetterRoot = (span: SpanRecord, facts: TraceFacts) =>
  facts.rootHasParent === undefined ||
  (span.parentSpanId === null && facts.rootHasParent) ||
  ((span.parentSpanId === null) === !facts.rootHasParent && span.startMs < facts.rootStartMs)

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
  if (typeof orderId === 'string' || typeof orderId === 'number') {
    if (facts.orderIds === NO_ORDERS) facts.orderIds = []
    addOnce(facts.orderIds, String(orderId))
  }
  if (span.status.code === 'error') facts.errors++
  // what the summary needs of it, not the span: a store may keep spans only as their bytes
  if (isBetterRoot(span, facts)) {
    facts.rootService = span.service
    facts.rootName = span.name
    facts.rootHasParent = span.parentSpanId !== null
    facts.rootStartMs = span.startMs
  }
}

export function summaryOf(facts: TraceFacts): TraceSummary {
  const durationMs = facts.spanCount > 0 ? facts.endMs - facts.startMs : 0
  return {
    traceId: facts.traceId,
    rootService: facts.rootService,
    rootOperation: facts.rootName,
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
