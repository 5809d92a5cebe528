import type { Money } from './quote.js'

export type ShipmentStatus = 'created' | 'dispatched' | 'delivered' | 'cancelled'

export interface Shipment {
  id: string
  orderId: string
  userId: string
  /** Which of the order's parcels, from 1, of parcelCount: each parcel is a shipment. */
  parcelNumber: number
  parcelCount: number
  status: ShipmentStatus
  carrier: string
  trackingNumber: string
  cost: Money
  weightGrams: number
  destinationCountry: string
  estimatedDays: number
  createdAt: Date
  dispatchDueAt: Date
  deliverDueAt: Date
  dispatchedAt: Date | undefined
  deliveredAt: Date | undefined
  cancelledAt: Date | undefined
}

/** How long the simulated carrier takes, measured from the order's confirmation. */
export interface CarrierTiming {
  dispatchAfterMs: number
  deliverAfterMs: number
  /** Multiplies both delays. */
  timeScale: number
}

/**
 * When the carrier picks a parcel up and when it arrives; delivery never comes before dispatch. Each further
 * parcel of an order (index from 0) leaves a fifth of the dispatch delay after the one before it.
 */
export function carrierSchedule(confirmedAt: Date, timing: CarrierTiming, parcelIndex = 0) {
  const baseDispatchMs = Math.round(timing.dispatchAfterMs * timing.timeScale)
  const laterMs = Math.round((parcelIndex * baseDispatchMs) / 5)
  const dispatchMs = baseDispatchMs + laterMs
  const deliverMs = Math.max(dispatchMs, Math.round(timing.deliverAfterMs * timing.timeScale) + laterMs)
  return {
    dispatchDueAt: new Date(confirmedAt.getTime() + dispatchMs),
    deliverDueAt: new Date(confirmedAt.getTime() + deliverMs),
  }
}

/** The carrier's next step for a shipment at `now`, if one is due. */
export function nextCarrierStep(s: Pick<Shipment, 'status' | 'dispatchDueAt' | 'deliverDueAt'>, now: Date) {
  if (s.status === 'created' && s.dispatchDueAt <= now) return 'dispatch' as const
  if (s.status === 'dispatched' && s.deliverDueAt <= now) return 'deliver' as const
  return undefined
}

/** The time the carrier next looks at a shipment in this status, or null when it is done with it. */
export function nextStepAt(s: Pick<Shipment, 'status' | 'dispatchDueAt' | 'deliverDueAt'>): Date | null {
  if (s.status === 'created') return s.dispatchDueAt
  if (s.status === 'dispatched') return s.deliverDueAt
  return null
}

/** A shipment can be called off only while the parcel is still with us. */
export const isCancellable = (status: ShipmentStatus) => status === 'created'

const TRACKING_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'

/** A tracking number from random bytes: `MS` and 12 characters without look-alikes (no I, O). */
export function trackingNumberFrom(bytes: Uint8Array): string {
  if (bytes.length < 12) throw new Error('a tracking number needs 12 random bytes')
  let out = 'MS'
  for (let i = 0; i < 12; i++) out += TRACKING_ALPHABET[bytes[i]! % TRACKING_ALPHABET.length]
  return out
}
