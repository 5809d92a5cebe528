import type { ServiceEvents } from '@microshop/chassis'
import type { ClearOrderedLines } from '../app/clear-cart.js'

/** A placed order empties its lines from the buyer's cart, once per event, in the inbox's transaction. */
export function consumeOrders(events: ServiceEvents, deps: { clearOrderedLines: ClearOrderedLines }) {
  return events.subscribe(
    'cart-order-created',
    {
      async OrderCreated(order, { tx, event }) {
        if (!order.userId) return
        await deps.clearOrderedLines(tx, {
          userId: order.userId,
          productIds: order.lines.map((l) => l.productId),
          // an order without its own time is as old as its event
          createdAt: order.createdAt || event.time,
        })
      },
    },
    { concurrency: 4 },
  )
}
