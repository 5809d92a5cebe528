import { type Db, defineEvent, type EventBus, type Logger, withInbox } from '@microshop/chassis'
import { eventTypes } from '@microshop/contracts'
import { OrderCreated } from '@microshop/contracts/orders/v1/events'
import type { ClearOrderedLines } from '../app/clear-cart.js'

export const OrderCreatedEvent = defineEvent(eventTypes.orders.orderCreated, OrderCreated)
const GROUP = 'cart-order-created'

/** A placed order empties its lines from the buyer's cart, once per event (the inbox), in the inbox's transaction. */
export async function consumeOrderCreated(deps: {
  bus: EventBus
  db: Db
  log: Logger
  clearOrderedLines: ClearOrderedLines
}) {
  return deps.bus.subscribe(
    GROUP,
    [OrderCreatedEvent],
    withInbox(deps.db, GROUP, async (event, tx) => {
      const order = OrderCreatedEvent.decode(event)
      if (!order.userId) return
      const removed = await deps.clearOrderedLines(tx, {
        userId: order.userId,
        productIds: order.lines.map((l) => l.productId),
        // an order without its own time is as old as its event
        createdAt: order.createdAt || event.time,
      })
      deps.log.debug({ orderId: order.orderId, removed }, 'ordered lines left the cart')
    }),
    { concurrency: 4 },
  )
}
