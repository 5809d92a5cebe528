import { eventOf, type PendingEvent } from '@microshop/chassis'
import { events } from '@microshop/contracts/events'
import type { ShipmentEvent } from '../domain/shipment-events.js'

/** The contract event of a domain event; its subject is the order id. */
export function toContractEvents(event: ShipmentEvent): PendingEvent {
  const s = event.shipment
  const parcel = { parcelNumber: s.parcelNumber, parcelCount: s.parcelCount }
  switch (event.kind) {
    case 'ShipmentCreated':
      return eventOf(events.ShipmentCreated, {
        orderId: s.orderId,
        shipmentId: s.id,
        trackingNumber: s.trackingNumber,
        carrier: s.carrier,
        ...parcel,
      })
    case 'ShipmentDispatched':
      return eventOf(events.ShipmentDispatched, {
        orderId: s.orderId,
        shipmentId: s.id,
        trackingNumber: s.trackingNumber,
        carrier: s.carrier,
        ...parcel,
      })
    case 'ShipmentDelivered':
      return eventOf(events.ShipmentDelivered, {
        orderId: s.orderId,
        shipmentId: s.id,
        trackingNumber: s.trackingNumber,
        ...parcel,
        parcelsRemaining: event.parcelsRemaining,
      })
  }
}
