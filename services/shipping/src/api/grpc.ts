import type { Handlers } from '@microshop/chassis'
import {
  type Shipment as ShipmentMessage,
  ShipmentStatus as ShipmentStatusMessage,
  type ShippingServiceService,
} from '@microshop/contracts/shipping/v1/shipping'
import type { Shipments } from '../app/shipments.js'
import type { Shipment, ShipmentStatus } from '../domain/shipment.js'

const STATUSES: Record<ShipmentStatus, ShipmentStatusMessage> = {
  created: ShipmentStatusMessage.SHIPMENT_STATUS_CREATED,
  dispatched: ShipmentStatusMessage.SHIPMENT_STATUS_DISPATCHED,
  delivered: ShipmentStatusMessage.SHIPMENT_STATUS_DELIVERED,
  cancelled: ShipmentStatusMessage.SHIPMENT_STATUS_CANCELLED,
}

const iso = (d: Date | undefined) => d?.toISOString() ?? ''

const toMessage = (s: Shipment): ShipmentMessage => ({
  id: s.id,
  orderId: s.orderId,
  parcelNumber: s.parcelNumber,
  parcelCount: s.parcelCount,
  status: STATUSES[s.status],
  carrier: s.carrier,
  trackingNumber: s.trackingNumber,
  cost: s.cost,
  weightGrams: s.weightGrams,
  destinationCountry: s.destinationCountry,
  createdAt: iso(s.createdAt),
  dispatchedAt: iso(s.dispatchedAt),
  deliveredAt: iso(s.deliveredAt),
  estimatedDays: s.estimatedDays,
  cancelledAt: iso(s.cancelledAt),
})

/** gRPC handlers: read the request, call the use case, shape the response. */
export function createShippingHandlers(shipments: Shipments): Handlers<typeof ShippingServiceService> {
  return {
    async getShipment(req, ctx) {
      const caller = await ctx.requireCaller()
      const parcels = (await shipments.getShipments(caller, req.orderId)).map(toMessage)
      return { shipment: parcels[0], shipments: parcels }
    },
    async quote(req) {
      const q = shipments.quote({
        weightGrams: req.weightGrams,
        items: req.items.map((i) => ({ weightGrams: i.weightGrams, quantity: i.quantity })),
        destinationCountry: req.destinationCountry,
      })
      return { cost: q.cost, carrier: q.carrier, estimatedDays: q.estimatedDays, parcels: q.parcels }
    },
  }
}
