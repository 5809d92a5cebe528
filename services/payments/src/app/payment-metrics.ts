import { type Emit, type Metrics, serviceCounter } from '@microshop/chassis'
import type { PaymentEvent } from '../domain/payment.js'

/** Payments by outcome (captured, failed with its code, refunded), counted once the change committed. */
export function createPaymentMetrics(metrics: Metrics) {
  const outcomes = serviceCounter(
    metrics,
    'microshop_payments_total',
    'Payments decided, by outcome and code',
    ['outcome', 'code'],
  )
  const count = (e: PaymentEvent) => {
    if (e.kind === 'PaymentSucceeded') outcomes.inc({ outcome: 'captured', code: '' })
    else if (e.kind === 'PaymentFailed') outcomes.inc({ outcome: 'failed', code: e.code })
    else outcomes.inc({ outcome: 'refunded', code: '' })
  }
  /** An Emit that also counts the events once their transaction committed. */
  return (emit: Emit<PaymentEvent>): Emit<PaymentEvent> =>
    async (tx, events) => {
      await emit(tx, events)
      tx.afterCommit(() => events.forEach(count))
    }
}
