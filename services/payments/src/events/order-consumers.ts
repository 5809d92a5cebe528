import { type Db, defineEvent, type EventBus, type Logger, withInbox } from '@microshop/chassis'
import { OrderCancelled, OrderCreated } from '@microshop/contracts/orders/v1/events'
import type { Payments } from '../app/payments.js'

export const OrderCreatedEvent = defineEvent('orders.OrderCreated.v1', OrderCreated)
export const OrderCancelledEvent = defineEvent('orders.OrderCancelled.v1', OrderCancelled)

/**
 * OrderCreated charges (in a group of its own: a slow charge must not hold up refunds), OrderCancelled refunds
 * through the inbox. The charge is not one transaction, so its redeliveries are made harmless by the one
 * payment per order, not by the inbox.
 */
export async function subscribeToOrders(deps: {
  bus: EventBus
  db: Db
  payments: Payments
  log: Logger
  concurrency: number
}) {
  const { bus, db, payments, log, concurrency } = deps
  const charges = await bus.subscribe(
    'payments-charges',
    [OrderCreatedEvent],
    async (event) => {
      const order = OrderCreatedEvent.decode(event)
      if (!order.orderId) {
        log.warn({ eventId: event.id }, 'OrderCreated without an order id: ignored')
        return
      }
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
    { concurrency },
  )
  const refunds = await bus.subscribe(
    'payments-refunds',
    [OrderCancelledEvent],
    withInbox(db, 'payments-refunds', async (event, tx) => {
      const cancelled = OrderCancelledEvent.decode(event)
      if (!cancelled.orderId) return
      await payments.cancel(tx, { orderId: cancelled.orderId, reason: cancelled.reason, eventId: event.id })
    }),
    { concurrency },
  )
  return [charges, refunds]
}
