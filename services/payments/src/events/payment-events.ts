import { defineEvent } from '@microshop/chassis'
import { PaymentFailed, PaymentSucceeded, RefundIssued } from '@microshop/contracts/payments/v1/events'
import type { PaymentEvents } from '../app/payments.js'

export const PaymentSucceededEvent = defineEvent('payments.PaymentSucceeded.v1', PaymentSucceeded)
export const PaymentFailedEvent = defineEvent('payments.PaymentFailed.v1', PaymentFailed)
export const RefundIssuedEvent = defineEvent('payments.RefundIssued.v1', RefundIssued)

/** Payment changes as contract events; the subject is the order id. */
export const paymentEvents: PaymentEvents = {
  succeeded: (p) =>
    PaymentSucceededEvent.create(p.orderId, {
      orderId: p.orderId,
      paymentId: p.id,
      amount: { amount: p.amount, currency: p.currency },
    }),
  failed: (p, code, reason) =>
    PaymentFailedEvent.create(p.orderId, {
      orderId: p.orderId,
      paymentId: p.id,
      code,
      reason,
      userId: p.userId,
      email: p.email,
    }),
  refunded: (p) =>
    RefundIssuedEvent.create(p.orderId, {
      orderId: p.orderId,
      paymentId: p.id,
      amount: { amount: p.refundedAmount, currency: p.currency },
    }),
}
