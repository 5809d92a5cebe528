import type { ServiceEvents } from '@microshop/chassis'
import type { Reservations } from '../app/reservations.js'
import type { Stock } from '../app/stock.js'

// one group for both order events: they share the order id as subject, so they are handled in order
export const ORDER_EVENTS_GROUP = 'inventory-orders'
export const CATALOG_EVENTS_GROUP = 'inventory-catalog'

/** Payments and cancellations move reservations, new catalog products get a level; each in its inbox transaction. */
export async function consumeOrdersAndProducts(
  events: ServiceEvents,
  deps: { reservations: Reservations; stock: Stock; concurrency: number },
): Promise<void> {
  const { reservations, stock, concurrency } = deps
  await events.subscribe(
    ORDER_EVENTS_GROUP,
    {
      async PaymentSucceeded(payment, { tx, event }) {
        await reservations.commitPaid(tx, payment.orderId || event.subject)
      },
      async OrderCancelled(order, { tx, event }) {
        await reservations.cancelOrder(tx, order.orderId || event.subject)
      },
    },
    { concurrency },
  )
  await events.subscribe(
    CATALOG_EVENTS_GROUP,
    {
      async ProductUpdated({ product, created }, { tx }) {
        if (created && product?.id) await stock.addProducts(tx, [product.id])
      },
    },
    { concurrency },
  )
}
