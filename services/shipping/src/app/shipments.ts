import { randomBytes as cryptoRandomBytes, randomUUID } from 'node:crypto'
import type { Logger, Principal, Queryable } from '@microshop/chassis'
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
import type { ShipmentStore } from '../store/shipment-store.js'

/** What shipping needs to know of a confirmed order. */
export interface ConfirmedOrder {
  orderId: string
  userId: string
  lines: { quantity: number; weightGrams: number }[]
  destinationCountry: string
  confirmedAt: Date
}

/** The contract events of shipments, recorded in the outbox within the change's transaction. */
export interface ShipmentEvents {
  created(tx: Queryable, shipment: Shipment): Promise<void>
  /** Dispatched or delivered shipments, each announced by its new status, in one append. */
  progressed(tx: Queryable, shipments: readonly Shipment[]): Promise<void>
}

/** The shipment use cases: made on confirmation, called off on cancellation, read by the order's owner. */
export function createShipments(deps: {
  store: ShipmentStore
  events: ShipmentEvents
  timing: CarrierTiming
  log: Logger
  clock?: () => Date
  randomBytes?: (n: number) => Uint8Array
}) {
  const { store, events, timing, log } = deps
  const clock = deps.clock ?? (() => new Date())
  const random = deps.randomBytes ?? cryptoRandomBytes

  return {
    quote(weightGrams: number, destinationCountry: string): Quote {
      return quote(weightGrams, destinationCountry)
    },

    /** One shipment per order, whatever is redelivered: the order id is unique in the table. */
    async createForOrder(tx: Queryable, order: ConfirmedOrder): Promise<Shipment | undefined> {
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
      await events.created(tx, shipment)
      return shipment
    },

    /** Calls off a shipment not yet dispatched; one already with the carrier goes on. */
    async cancelForOrder(tx: Queryable, orderId: string): Promise<Shipment | undefined> {
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
      const shipment = await store.findByOrder(orderId)
      if (!shipment || (shipment.userId !== caller.userId && !caller.roles.includes('admin')))
        throw ShippingErrors.shipmentNotFound(orderId)
      return shipment
    },
  }
}

export type Shipments = ReturnType<typeof createShipments>
