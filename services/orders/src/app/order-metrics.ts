import { type Emit, type Metrics, serviceCounter, serviceHistogram } from '@microshop/chassis'
import type { AppliedEvent } from './order-stream.js'

/**
 * The shop's own figures, counted once a change committed: orders placed, confirmed and cancelled (by
 * reason), revenue of confirmed orders in minor units by currency, and how long the saga took to decide.
 */
export function createOrderMetrics(metrics: Metrics) {
  const placed = serviceCounter(metrics, 'microshop_orders_placed_total', 'Orders placed', ['currency'])
  const confirmed = serviceCounter(metrics, 'microshop_orders_confirmed_total', 'Orders confirmed (paid)', [
    'currency',
  ])
  const cancelled = serviceCounter(
    metrics,
    'microshop_orders_cancelled_total',
    'Orders cancelled, by reason',
    ['reason'],
  )
  const revenue = serviceCounter(
    metrics,
    'microshop_orders_revenue_minor_units_total',
    'Totals of confirmed orders in minor units (cents), by currency',
    ['currency'],
  )
  const sagaDuration = serviceHistogram(
    metrics,
    'microshop_order_saga_duration_seconds',
    'From an order placed to its payment decided (confirmed or cancelled before shipping)',
    ['outcome'],
  )
  const decided = (a: AppliedEvent, outcome: string) => {
    if (a.before?.status !== 'PENDING_PAYMENT') return
    const seconds = (Date.parse(a.event.recordedAt) - Date.parse(a.after.createdAt)) / 1000
    if (Number.isFinite(seconds)) sagaDuration.observe({ outcome }, Math.max(0, seconds))
  }

  const record = (applied: readonly AppliedEvent[]) => {
    for (const a of applied) {
      const currency = a.after.total.currency
      switch (a.event.type) {
        case 'OrderPlaced':
          placed.inc({ currency })
          break
        case 'OrderConfirmed':
          confirmed.inc({ currency })
          revenue.inc({ currency }, a.after.total.amount)
          decided(a, 'confirmed')
          break
        case 'OrderCancelled':
          cancelled.inc({ reason: a.event.data.reason })
          decided(a, 'cancelled')
          break
      }
    }
  }

  /** An Emit that also counts the events once their transaction committed. */
  return (emit: Emit<AppliedEvent>): Emit<AppliedEvent> =>
    async (tx, applied) => {
      await emit(tx, applied)
      tx.afterCommit(() => record(applied))
    }
}
