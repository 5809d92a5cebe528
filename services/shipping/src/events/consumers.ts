import type { Clock, Logger, ServiceEvents } from '@microshop/chassis'
import type { Shipments } from '../app/shipments.js'

// one group for both order events: they share the order id as subject, so they are handled in order
export const ORDER_EVENTS_GROUP = 'shipping-orders'

/** When the event happened; its delivery may come later (a consumer that was down), the carrier counts from here. */
function occurredAt(time: string, clock: Clock): Date {
  const at = new Date(time)
  return Number.isNaN(at.getTime()) ? clock() : at
}

/** Confirmed orders get their parcels' shipments, cancelled ones lose those not dispatched; each in its inbox transaction. */
export function consumeOrders(
  events: ServiceEvents,
  deps: { shipments: Shipments; log: Logger; clock: Clock },
) {
  const { shipments, log, clock } = deps
  return events.subscribe(
    ORDER_EVENTS_GROUP,
    {
      async OrderConfirmed(order, { tx, event }) {
        const created = await shipments.createForOrder(tx, {
          orderId: order.orderId,
          userId: order.userId,
          lines: order.lines.map((l) => ({ quantity: l.quantity, weightGrams: l.weightGrams })),
          destinationCountry: order.shippingAddress?.country ?? '',
          confirmedAt: occurredAt(event.time, clock),
        })
        if (created)
          log.info(
            { orderId: order.orderId, trackingNumbers: created.map((s) => s.trackingNumber) },
            'shipment created for confirmed order',
          )
      },
      async OrderCancelled({ orderId }, { tx }) {
        const cancelled = await shipments.cancelForOrder(tx, orderId)
        if (cancelled.length > 0)
          log.info({ orderId, parcels: cancelled.length }, 'shipment cancelled with its order')
      },
    },
    { concurrency: 8 },
  )
}
