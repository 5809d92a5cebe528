import { defineEvent, type NewEvent, type Outbox } from '@microshop/chassis'
import {
  ShipmentCreated,
  ShipmentDelivered,
  ShipmentDispatched,
} from '@microshop/contracts/shipping/v1/events'
import type { ShipmentEvents } from '../app/shipments.js'
import type { Shipment } from '../domain/shipment.js'

export const ShipmentCreatedEvent = defineEvent('shipping.ShipmentCreated.v1', ShipmentCreated)
export const ShipmentDispatchedEvent = defineEvent('shipping.ShipmentDispatched.v1', ShipmentDispatched)
export const ShipmentDeliveredEvent = defineEvent('shipping.ShipmentDelivered.v1', ShipmentDelivered)

function progressEvent(s: Shipment): NewEvent | undefined {
  if (s.status === 'dispatched')
    return ShipmentDispatchedEvent.create(s.orderId, {
      orderId: s.orderId,
      shipmentId: s.id,
      trackingNumber: s.trackingNumber,
      carrier: s.carrier,
    })
  if (s.status === 'delivered')
    return ShipmentDeliveredEvent.create(s.orderId, {
      orderId: s.orderId,
      shipmentId: s.id,
      trackingNumber: s.trackingNumber,
    })
  return undefined
}

/** Shipment changes as contract events, subject the order id, in the outbox of the change's transaction. */
export function createShipmentEvents(outbox: Outbox): ShipmentEvents {
  return {
    async created(tx, s) {
      await outbox.append(tx, [
        ShipmentCreatedEvent.create(s.orderId, {
          orderId: s.orderId,
          shipmentId: s.id,
          trackingNumber: s.trackingNumber,
          carrier: s.carrier,
        }),
      ])
    },
    async progressed(tx, shipments) {
      await outbox.append(
        tx,
        shipments.map(progressEvent).filter((e): e is NewEvent => e !== undefined),
      )
    },
  }
}
