import { eventOf, type PendingEvent } from '@microshop/chassis'
import { events } from '@microshop/contracts/events'
import type { PaymentEvent } from '../domain/payment.js'

/** The contract event of a payment event; its subject is the order id. */
export function toContractEvents(event: PaymentEvent): PendingEvent {
  const p = event.payment
  switch (event.kind) {
    case 'PaymentSucceeded':
      return eventOf(events.PaymentSucceeded, {
        orderId: p.orderId,
        paymentId: p.id,
        amount: { amount: p.amount, currency: p.currency },
      })
    case 'PaymentFailed':
      return eventOf(events.PaymentFailed, {
        orderId: p.orderId,
        paymentId: p.id,
        code: event.code,
        reason: event.reason,
        userId: p.userId,
        email: p.email,
      })
    case 'RefundIssued':
      return eventOf(events.RefundIssued, {
        orderId: p.orderId,
        paymentId: p.id,
        amount: { amount: p.refundedAmount, currency: p.currency },
      })
  }
}
