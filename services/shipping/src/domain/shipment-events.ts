import type { Shipment } from './shipment.js'

/** What a change to a shipment tells the rest of the system: it was made, or the carrier moved it on. */
export type ShipmentEvent =
  | { kind: 'ShipmentCreated'; shipment: Shipment }
  | { kind: 'ShipmentDispatched'; shipment: Shipment }
  | { kind: 'ShipmentDelivered'; shipment: Shipment }
