import type { Db, Principal } from '@microshop/chassis'
import { PaymentsErrors } from '../domain/errors.js'
import type { FailureCode, Payment } from '../domain/payment.js'
import type { PaymentStore } from '../store/payment-store.js'

export type GetPayment = ReturnType<typeof createGetPayment>

// what a customer is told: a refusal by the fraud checks reads like a decline, and no rule is named
const FOR_CUSTOMERS: Record<FailureCode, { code: string; reason: string }> = {
  card_declined: { code: 'card_declined', reason: 'the card was declined: pay with another card' },
  fraud_blocked: { code: 'card_declined', reason: 'the card was declined: pay with another card' },
  fraud_unavailable: {
    code: 'payment_unavailable',
    reason: 'the payment could not be completed right now: try again later',
  },
  provider_error: {
    code: 'payment_unavailable',
    reason: 'the payment could not be completed right now: try again later',
  },
  invalid_payment_method: {
    code: 'invalid_payment_method',
    reason: 'this payment method cannot be used: pay with another card',
  },
  invalid_amount: { code: 'payment_unavailable', reason: 'the payment could not be completed: contact us' },
  order_cancelled: {
    code: 'order_cancelled',
    reason: 'the order was cancelled before payment: nothing was taken',
  },
}

/** The payment as its owner sees it: the outcome in plain words, not how the risk checks decided. */
const customerView = (payment: Payment): Payment => {
  const told = payment.failureCode ? FOR_CUSTOMERS[payment.failureCode as FailureCode] : undefined
  return {
    ...payment,
    fraudScore: undefined,
    failureCode: told?.code ?? (payment.failureCode ? 'payment_failed' : ''),
    failureReason: told?.reason ?? (payment.failureCode ? 'the payment could not be completed' : ''),
  }
}

/** The payment of an order, for its owner or an admin; to anyone else it does not exist. */
export function createGetPayment(deps: { db: Db; store: PaymentStore }) {
  return async (orderId: string, caller: Principal): Promise<Payment> => {
    if (!orderId || orderId.length > 200) throw PaymentsErrors.invalidOrderId()
    const payment = await deps.store.byOrder(deps.db, orderId)
    if (!payment || (payment.userId !== caller.userId && !caller.roles.includes('admin')))
      throw PaymentsErrors.paymentNotFound(orderId)
    return caller.roles.includes('admin') ? payment : customerView(payment)
  }
}
