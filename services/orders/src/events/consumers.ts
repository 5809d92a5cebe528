import type { Delivery, ServiceEvents } from '@microshop/chassis'
import type { React } from '../app/reactions.js'
import type { Reaction } from '../domain/order.js'

export const SAGA_GROUP = 'orders-saga'

/**
 * The saga's consumer: payment, reservation and shipment events move orders, each once, in the inbox's
 * transaction. A fact that does not fit the order is recorded as ignored, never an error; only transient
 * trouble (a concurrent update, the database) fails a delivery, and is retried.
 */
export function consumeSagaEvents(events: ServiceEvents, deps: { react: React; concurrency: number }) {
  const react = (orderId: string, reaction: Reaction, { tx, event }: Delivery) =>
    deps.react(tx, { eventId: event.id, eventType: event.type, orderId, reaction })
  return events.subscribe(
    SAGA_GROUP,
    {
      PaymentSucceeded: (e, delivery) =>
        react(
          e.orderId,
          {
            kind: 'PaymentSucceeded',
            paymentId: e.paymentId,
            amount: e.amount ?? { amount: 0, currency: '' },
          },
          delivery,
        ),
      PaymentFailed: (e, delivery) =>
        react(e.orderId, { kind: 'PaymentFailed', code: e.code, reason: e.reason }, delivery),
      ReservationExpired: (e, delivery) =>
        react(e.orderId, { kind: 'ReservationExpired', reservationId: e.reservationId }, delivery),
      ShipmentDispatched: (e, delivery) =>
        react(
          e.orderId,
          {
            kind: 'ShipmentDispatched',
            shipmentId: e.shipmentId,
            trackingNumber: e.trackingNumber,
            carrier: e.carrier,
          },
          delivery,
        ),
      ShipmentDelivered: (e, delivery) =>
        react(
          e.orderId,
          {
            kind: 'ShipmentDelivered',
            shipmentId: e.shipmentId,
            trackingNumber: e.trackingNumber,
            carrier: '',
            parcelsRemaining: e.parcelsRemaining,
          },
          delivery,
        ),
    },
    { concurrency: deps.concurrency },
  )
}
