import type { Shipment } from './shipment.js'

/** What a change to a shipment (one parcel) tells the rest of the system: it was made, or the carrier moved it on. */
export type ShipmentEvent =
  | { kind: 'ShipmentCreated'; shipment: Shipment }
  | { kind: 'ShipmentDispatched'; shipment: Shipment }
  /** parcelsRemaining: the order's parcels still on their way after this one (0: the order has arrived). */
  | { kind: 'ShipmentDelivered'; shipment: Shipment; parcelsRemaining: number }
