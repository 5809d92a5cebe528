import type { ServiceEvents } from '@microshop/chassis'
import type { Payments } from '../app/payments.js'
import { PaymentsErrors } from '../domain/errors.js'

/**
 * OrderCreated charges, in a group of its own (a slow charge must not hold up refunds); OrderCancelled
 * refunds, once per event through the inbox. The charge calls fraud and the provider, so it is not one
 * transaction: it listens without an inbox, and the one payment per order makes a redelivery harmless.
 */
export async function consumeOrders(
  events: ServiceEvents,
  deps: { payments: Payments; concurrency: number },
) {
  const { payments, concurrency } = deps
  const charges = await events.listen(
    'payments-charges',
    {
      async OrderCreated(order, { event }) {
        if (!order.orderId) throw PaymentsErrors.invalidEvent(event.type, event.id, 'no order id')
        await payments.charge({
          orderId: order.orderId,
          userId: order.userId,
          email: order.email,
          amount: Number(order.total?.amount ?? 0),
          currency: order.total?.currency || 'USD',
          paymentToken: order.paymentToken,
          shippingCountry: (order.shippingAddress?.country ?? '').toUpperCase(),
        })
      },
    },
    { concurrency },
  )
  const refunds = await events.subscribe(
    'payments-refunds',
    {
      async OrderCancelled(cancelled, { tx, event }) {
        if (!cancelled.orderId) throw PaymentsErrors.invalidEvent(event.type, event.id, 'no order id')
        await payments.cancel(tx, { orderId: cancelled.orderId, reason: cancelled.reason, eventId: event.id })
      },
    },
    { concurrency },
  )
  return [charges, refunds]
}
