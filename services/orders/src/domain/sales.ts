import type { Money, Order, RecordedEvent } from './order.js'

/** A change to the daily sales: net units and revenue per product, and order counts, on one day. */
export interface SalesEffect {
  day: string
  lines: { productId: string; quantity: number; revenue: Money }[]
  ordersConfirmed: number
  ordersCancelled: number
}

const dayOf = (rfc3339: string) => new Date(rfc3339).toISOString().slice(0, 10)

/**
 * What an event does to the sales view: a confirmation counts the order's lines on its day; the
 * cancellation of a confirmed order takes them back off that same day, so a day shows its net sales.
 */
export function salesEffect(
  before: Order | undefined,
  event: RecordedEvent,
  after: Order,
): SalesEffect | undefined {
  if (event.type === 'OrderConfirmed')
    return {
      day: dayOf(event.recordedAt),
      lines: after.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, revenue: l.lineTotal })),
      ordersConfirmed: 1,
      ordersCancelled: 0,
    }
  if (event.type === 'OrderCancelled' && before?.status === 'CONFIRMED')
    return {
      day: dayOf(before.confirmedAt),
      lines: before.lines.map((l) => ({
        productId: l.productId,
        quantity: -l.quantity,
        revenue: { amount: -l.lineTotal.amount, currency: l.lineTotal.currency },
      })),
      ordersConfirmed: 0,
      ordersCancelled: 1,
    }
  return undefined
}
