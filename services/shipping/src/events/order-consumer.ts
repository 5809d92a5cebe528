import { type Db, defineEvent, type EventBus, type Logger, withInbox } from '@microshop/chassis'
import { OrderCancelled, OrderConfirmed } from '@microshop/contracts/orders/v1/events'
import type { Shipments } from '../app/shipments.js'

export const OrderConfirmedEvent = defineEvent('orders.OrderConfirmed.v1', OrderConfirmed)
export const OrderCancelledEvent = defineEvent('orders.OrderCancelled.v1', OrderCancelled)

const GROUP = 'shipping-orders'

/** When the event happened; its delivery may come later (a consumer that was down), the carrier counts from here. */
function occurredAt(time: string): Date {
  const at = new Date(time)
  return Number.isNaN(at.getTime()) ? new Date() : at
}

/**
 * Confirmed orders get a shipment, cancelled ones lose theirs before dispatch. One group for both
 * keeps them in order per order id; the inbox makes a redelivery a no-op.
 */
export async function consumeOrderEvents(deps: { db: Db; bus: EventBus; shipments: Shipments; log: Logger }) {
  const { db, bus, shipments, log } = deps
  return bus.subscribe(
    GROUP,
    [OrderConfirmedEvent, OrderCancelledEvent],
    withInbox(db, GROUP, async (event, tx) => {
      if (event.type === OrderConfirmedEvent.name) {
        const order = OrderConfirmedEvent.decode(event)
        const created = await shipments.createForOrder(tx, {
          orderId: order.orderId,
          userId: order.userId,
          lines: order.lines.map((l) => ({ quantity: l.quantity, weightGrams: l.weightGrams })),
          destinationCountry: order.shippingAddress?.country ?? '',
          confirmedAt: occurredAt(event.time),
        })
        if (created)
          log.info(
            { orderId: order.orderId, trackingNumber: created.trackingNumber },
            'shipment created for confirmed order',
          )
      } else {
        const { orderId } = OrderCancelledEvent.decode(event)
        if (await shipments.cancelForOrder(tx, orderId))
          log.info({ orderId }, 'shipment cancelled with its order')
      }
    }),
    { concurrency: 8 },
  )
}
