import { type Db, type EventBus, withInbox } from '@microshop/chassis'
import type { React } from '../app/reactions.js'
import type { Reaction } from '../domain/order.js'
import {
  PaymentFailedEvent,
  PaymentSucceededEvent,
  ReservationExpiredEvent,
  ShipmentDeliveredEvent,
  ShipmentDispatchedEvent,
} from './order-events.js'

export const SAGA_GROUP = 'orders-saga'

type Delivered = Parameters<typeof PaymentSucceededEvent.decode>[0]

/** The order id and reaction a consumed event stands for. */
export function reactionOf(event: Delivered): { orderId: string; reaction: Reaction } {
  switch (event.type) {
    case PaymentSucceededEvent.name: {
      const e = PaymentSucceededEvent.decode(event)
      return {
        orderId: e.orderId,
        reaction: {
          kind: 'PaymentSucceeded',
          paymentId: e.paymentId,
          amount: e.amount ?? { amount: 0, currency: '' },
        },
      }
    }
    case PaymentFailedEvent.name: {
      const e = PaymentFailedEvent.decode(event)
      return { orderId: e.orderId, reaction: { kind: 'PaymentFailed', code: e.code, reason: e.reason } }
    }
    case ReservationExpiredEvent.name: {
      const e = ReservationExpiredEvent.decode(event)
      return { orderId: e.orderId, reaction: { kind: 'ReservationExpired', reservationId: e.reservationId } }
    }
    case ShipmentDispatchedEvent.name: {
      const e = ShipmentDispatchedEvent.decode(event)
      return {
        orderId: e.orderId,
        reaction: {
          kind: 'ShipmentDispatched',
          shipmentId: e.shipmentId,
          trackingNumber: e.trackingNumber,
          carrier: e.carrier,
        },
      }
    }
    case ShipmentDeliveredEvent.name: {
      const e = ShipmentDeliveredEvent.decode(event)
      return {
        orderId: e.orderId,
        reaction: {
          kind: 'ShipmentDelivered',
          shipmentId: e.shipmentId,
          trackingNumber: e.trackingNumber,
          carrier: '',
        },
      }
    }
    default:
      throw new Error(`orders does not consume ${event.type}`)
  }
}

/** The saga's consumer: payment, reservation and shipment events move orders, each once (inbox). */
export function subscribeSaga(deps: { bus: EventBus; db: Db; react: React; concurrency: number }) {
  return deps.bus.subscribe(
    SAGA_GROUP,
    [
      PaymentSucceededEvent,
      PaymentFailedEvent,
      ReservationExpiredEvent,
      ShipmentDispatchedEvent,
      ShipmentDeliveredEvent,
    ],
    withInbox(deps.db, SAGA_GROUP, async (event, tx) => {
      const { orderId, reaction } = reactionOf(event)
      await deps.react(tx, {
        eventId: event.id,
        eventType: event.type,
        orderId: orderId || event.subject,
        reaction,
      })
    }),
    { concurrency: deps.concurrency },
  )
}
