import { nextCarrierStep, type Shipment } from './shipment.js'
import type { ShipmentEvent } from './shipment-events.js'

const onItsWay = (s: Shipment) => s.status === 'created' || s.status === 'dispatched'

/**
 * The carrier's steps on one order's parcels at `now` (all of them, by parcel number): each parcel that is
 * due moves one step. A delivery tells how many of the order's parcels are still on their way after it, so
 * the last one says the whole order has arrived.
 */
export function moveParcels(parcels: readonly Shipment[], now: Date) {
  const state = [...parcels]
  const moved: Shipment[] = []
  const events: ShipmentEvent[] = []
  state.forEach((parcel, i) => {
    const step = nextCarrierStep(parcel, now)
    if (!step) return
    const next: Shipment =
      step === 'dispatch'
        ? { ...parcel, status: 'dispatched', dispatchedAt: now }
        : { ...parcel, status: 'delivered', deliveredAt: now }
    state[i] = next
    moved.push(next)
    events.push(
      step === 'dispatch'
        ? { kind: 'ShipmentDispatched', shipment: next }
        : { kind: 'ShipmentDelivered', shipment: next, parcelsRemaining: state.filter(onItsWay).length },
    )
  })
  return { moved, events }
}
