import { randomBytes as cryptoRandomBytes, randomUUID } from 'node:crypto'
import {
  activeTraceparent,
  type Clock,
  type Db,
  type Emit,
  type Logger,
  type Principal,
  type Tx,
} from '@microshop/chassis'
import { ShippingErrors } from '../domain/errors.js'
import {
  checkItems,
  type ParcelsQuote,
  packParcels,
  quoteParcels,
  quoteParcelsForShipment,
  type ShippedItem,
  splitWeight,
} from '../domain/parcels.js'
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
    /** Prices an order's parcels: packed from its items when given, else its weight split. */
    quote(req: { weightGrams: number; items: ShippedItem[]; destinationCountry: string }): ParcelsQuote {
      checkItems(req.items)
      const weights = req.items.length > 0 ? packParcels(req.items) : splitWeight(req.weightGrams)
      return quoteParcels(weights, req.destinationCountry)
    },

    /**
     * One shipment per parcel of the order, packed as its quote was, whatever is redelivered: (order, parcel
     * number) is unique in the table, and all parcels are made in one transaction.
     */
    async createForOrder(tx: Tx, order: ConfirmedOrder): Promise<Shipment[] | undefined> {
      const priced = quoteParcelsForShipment(packParcels(order.lines), order.destinationCountry)
      const createdAt = clock()
      const parcels = priced.map(
        (p, i): Shipment => ({
          id: randomUUID(),
          orderId: order.orderId,
          userId: order.userId,
          parcelNumber: p.number,
          parcelCount: priced.length,
          status: 'created',
          carrier: p.carrier,
          trackingNumber: trackingNumberFrom(random(12)),
          cost: p.cost,
          weightGrams: p.weightGrams,
          destinationCountry: order.destinationCountry.trim().toUpperCase(),
          estimatedDays: p.estimatedDays,
          createdAt,
          ...carrierSchedule(order.confirmedAt, timing, i),
          dispatchedAt: undefined,
          deliveredAt: undefined,
          cancelledAt: undefined,
        }),
      )
      // the carrier's later steps continue this trace (the consumer's span of the order's confirmation)
      const traceparent = activeTraceparent()
      for (const parcel of parcels)
        if (!(await store.insert(tx, parcel, nextStepAt(parcel), traceparent))) return undefined
      await deps.emit(
        tx,
        parcels.map((shipment) => ({ kind: 'ShipmentCreated', shipment })),
      )
      return parcels
    },

    /** Calls off the order's parcels not yet dispatched; one already with the carrier goes on. */
    async cancelForOrder(tx: Tx, orderId: string): Promise<Shipment[]> {
      const cancelled: Shipment[] = []
      for (const parcel of await store.lockByOrder(tx, orderId)) {
        if (!isCancellable(parcel.status)) {
          if (parcel.status !== 'cancelled')
            log.warn(
              { orderId, parcel: parcel.parcelNumber, status: parcel.status },
              'order cancelled after its parcel left: the parcel goes on',
            )
          continue
        }
        const next: Shipment = { ...parcel, status: 'cancelled', cancelledAt: clock() }
        await store.saveProgress(tx, next, nextStepAt(next))
        cancelled.push(next)
      }
      return cancelled
    },

    /** The parcels of an order, for its owner or an admin; anyone else is told there are none. */
    async getShipments(caller: Principal, orderId: string): Promise<Shipment[]> {
      if (!orderId) throw ShippingErrors.invalidOrderId()
      const parcels = await store.findByOrder(db, orderId)
      const owner = parcels[0]?.userId
      if (owner === undefined || (owner !== caller.userId && !caller.roles.includes('admin')))
        throw ShippingErrors.shipmentNotFound(orderId)
      return parcels
    },
  }
}

export type Shipments = ReturnType<typeof createShipments>
