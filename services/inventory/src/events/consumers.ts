import { type Db, type EventBus, withInbox } from '@microshop/chassis'
import type { Reservations } from '../app/reservations.js'
import type { Stock } from '../app/stock.js'
import { OrderCancelledEvent, PaymentSucceededEvent, ProductUpdatedEvent } from './inventory-events.js'

// one group for both order events: they share the order id as subject, so they are handled in order
export const ORDER_EVENTS_GROUP = 'inventory-orders'
export const CATALOG_EVENTS_GROUP = 'inventory-catalog'

/** Consumes what moves reservations and products, each event's effect in its inbox transaction. */
export async function subscribeInventoryConsumers(deps: {
  db: Db
  bus: EventBus
  reservations: Reservations
  stock: Stock
  concurrency: number
}): Promise<void> {
  const { db, bus, reservations, stock, concurrency } = deps
  await bus.subscribe(
    ORDER_EVENTS_GROUP,
    [PaymentSucceededEvent, OrderCancelledEvent],
    withInbox(db, ORDER_EVENTS_GROUP, async (event, tx) => {
      if (event.type === PaymentSucceededEvent.name)
        await reservations.commitPaid(tx, PaymentSucceededEvent.decode(event).orderId || event.subject)
      else if (event.type === OrderCancelledEvent.name)
        await reservations.cancelOrder(tx, OrderCancelledEvent.decode(event).orderId || event.subject)
    }),
    { concurrency },
  )
  await bus.subscribe(
    CATALOG_EVENTS_GROUP,
    [ProductUpdatedEvent],
    withInbox(db, CATALOG_EVENTS_GROUP, async (event, tx) => {
      const { product, created } = ProductUpdatedEvent.decode(event)
      if (created && product?.id) await stock.addProducts(tx, [product.id])
    }),
    { concurrency },
  )
}
