import { randomBytes as cryptoRandomBytes, randomUUID } from 'node:crypto'
import type { Clock, Db, Emit, Logger, Principal, Tx } from '@microshop/chassis'
import { ShippingErrors } from '../domain/errors.js'
import { parcelWeight, type Quote, quote, quoteForShipment } from '../domain/quote.js'
import {
  type CarrierTiming,
  carrierSchedule,
  isCancellable,
  nextStepAt,
  type Shipment,
  trackingNumberFrom,
} from '../domain/shipment.js'
import type { ShipmentEvent } from '../domain/shipment-events.js'
import type { ShipmentStore } from '../store/shipment-store.js'

/** What shipping needs to know of a confirmed order. */
export interface ConfirmedOrder {
  orderId: string
  userId: string
  lines: { quantity: number; weightGrams: number }[]
  destinationCountry: string
  confirmedAt: Date
}

/** The shipment use cases: made on confirmation, called off on cancellation, read by the order's owner. */
export function createShipments(deps: {
  db: Db
  store: ShipmentStore
  emit: Emit<ShipmentEvent>
  timing: CarrierTiming
  log: Logger
  clock: Clock
  randomBytes?: (n: number) => Uint8Array
}) {
  const { db, store, timing, log, clock } = deps
  const random = deps.randomBytes ?? cryptoRandomBytes

  return {
    quote(weightGrams: number, destinationCountry: string): Quote {
      return quote(weightGrams, destinationCountry)
    },

    /** One shipment per order, whatever is redelivered: the order id is unique in the table. */
    async createForOrder(tx: Tx, order: ConfirmedOrder): Promise<Shipment | undefined> {
      const weightGrams = parcelWeight(order.lines)
      const priced = quoteForShipment(weightGrams, order.destinationCountry)
      const shipment: Shipment = {
        id: randomUUID(),
        orderId: order.orderId,
        userId: order.userId,
        status: 'created',
        carrier: priced.carrier,
        trackingNumber: trackingNumberFrom(random(12)),
        cost: priced.cost,
        weightGrams,
        destinationCountry: order.destinationCountry.trim().toUpperCase(),
        estimatedDays: priced.estimatedDays,
        createdAt: clock(),
        ...carrierSchedule(order.confirmedAt, timing),
        dispatchedAt: undefined,
        deliveredAt: undefined,
        cancelledAt: undefined,
      }
      if (!(await store.insert(tx, shipment, nextStepAt(shipment)))) return undefined
      await deps.emit(tx, [{ kind: 'ShipmentCreated', shipment }])
      return shipment
    },

    /** Calls off a shipment not yet dispatched; one already with the carrier goes on. */
    async cancelForOrder(tx: Tx, orderId: string): Promise<Shipment | undefined> {
      const shipment = await store.lockByOrder(tx, orderId)
      if (!shipment) return undefined
      if (!isCancellable(shipment.status)) {
        if (shipment.status !== 'cancelled')
          log.warn(
            { orderId, status: shipment.status },
            'order cancelled after its shipment left: the parcel goes on',
          )
        return undefined
      }
      const cancelled: Shipment = { ...shipment, status: 'cancelled', cancelledAt: clock() }
      await store.saveProgress(tx, cancelled, nextStepAt(cancelled))
      return cancelled
    },

    /** The shipment of an order, for its owner or an admin; anyone else is told there is none. */
    async getShipment(caller: Principal, orderId: string): Promise<Shipment> {
      if (!orderId) throw ShippingErrors.invalidOrderId()
      const shipment = await store.findByOrder(db, orderId)
      if (!shipment || (shipment.userId !== caller.userId && !caller.roles.includes('admin')))
        throw ShippingErrors.shipmentNotFound(orderId)
      return shipment
    },
  }
}

export type Shipments = ReturnType<typeof createShipments>
