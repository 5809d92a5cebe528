import type { OrderStatus, StatusChange, StatusEvent } from './api/types'

const RANK: Record<OrderStatus, number> = {
  PENDING_PAYMENT: 0,
  CONFIRMED: 1,
  SHIPPED: 2,
  DELIVERED: 3,
  CANCELLED: 4,
}
/** The later of two statuses: the stream and a read of the order may each be a step behind the other. */
export const furthest = (a: OrderStatus | undefined, b: OrderStatus | undefined) =>
  a && b ? (RANK[a] >= RANK[b] ? a : b) : (a ?? b)
/** What happened to the order, from its history and what the live stream added since. */
export function timelineOf(history: StatusChange[], live: StatusEvent[]): StatusChange[] {
  const seen = new Map<OrderStatus, StatusChange>()
  for (const h of history) if (!seen.has(h.status)) seen.set(h.status, h)
  for (const e of live)
    if (!seen.has(e.status))
      seen.set(e.status, { status: e.status, at: e.at, ...(e.reason ? { reason: e.reason } : {}) })
  return [...seen.values()]
}
