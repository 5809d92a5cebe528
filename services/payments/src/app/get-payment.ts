import type { Db, Principal } from '@microshop/chassis'
import { PaymentsErrors } from '../domain/errors.js'
import type { Payment } from '../domain/payment.js'
import type { PaymentStore } from '../store/payment-store.js'

export type GetPayment = ReturnType<typeof createGetPayment>

/** The payment of an order, for its owner or an admin; to anyone else it does not exist. */
export function createGetPayment(deps: { db: Db; store: PaymentStore }) {
  return async (orderId: string, caller: Principal): Promise<Payment> => {
    if (!orderId || orderId.length > 200) throw PaymentsErrors.invalidOrderId()
    const payment = await deps.store.byOrder(deps.db, orderId)
    if (!payment || (payment.userId !== caller.userId && !caller.roles.includes('admin')))
      throw PaymentsErrors.paymentNotFound(orderId)
    return payment
  }
}
