import { ShippingErrors } from './errors.js'
import { MAX_WEIGHT_GRAMS, type Money, quote, quoteForShipment, type Zone } from './quote.js'

/** The most parcels one order ships in; a heavier order is refused at quote. */
export const MAX_PARCELS = 10

/** The most units of one line a quote packs. */
export const MAX_QUANTITY = 10_000

/** Units of one weight, as an order line ships them. */
export interface ShippedItem {
  weightGrams: number
  quantity: number
}

export interface QuotedParcel {
  number: number
  weightGrams: number
  cost: Money
  estimatedDays: number
}

/** The price of an order's shipping: one quote per parcel, summed. */
export interface ParcelsQuote {
  cost: Money
  carrier: string
  /** The slowest parcel's. */
  estimatedDays: number
  zone: Zone
  parcels: QuotedParcel[]
}

/**
 * The weights of the parcels an order's units pack into: heaviest unit first, each into the first parcel it
 * fits (first-fit decreasing); a unit over the parcel limit (only a paid order can have one) travels alone.
 * No unit is split, and the same units always pack alike, so the shipments made on confirmation are the
 * parcels that were quoted.
 */
export function packParcels(items: readonly ShippedItem[]): number[] {
  const units = items
    .filter((i) => i.quantity > 0)
    .map((i) => ({ weight: Math.max(0, Math.trunc(i.weightGrams)), count: Math.trunc(i.quantity) }))
    .sort((a, b) => b.weight - a.weight)
  const parcels: number[] = []
  for (const { weight, count } of units)
    for (let n = 0; n < count; n++) {
      const room = parcels.findIndex((p) => p + weight <= MAX_WEIGHT_GRAMS)
      if (room === -1) parcels.push(weight)
      else parcels[room]! += weight
    }
  return parcels.length > 0 ? parcels : [0]
}

/** A weight alone split into parcels, as if it could be divided anywhere: full parcels, then the rest. */
export function splitWeight(weightGrams: number): number[] {
  if (!Number.isInteger(weightGrams) || weightGrams < 0) throw ShippingErrors.invalidWeight()
  const full = Math.floor(weightGrams / MAX_WEIGHT_GRAMS)
  const rest = weightGrams - full * MAX_WEIGHT_GRAMS
  const parcels = Array.from({ length: full }, () => MAX_WEIGHT_GRAMS)
  return rest > 0 || parcels.length === 0 ? [...parcels, rest] : parcels
}

/**
 * Checks a quote's items before any packing: whole grams and a sensible quantity each, no unit too heavy for
 * a parcel (named by its index), and not more weight than the most parcels can carry.
 */
export function checkItems(items: readonly ShippedItem[]): void {
  items.forEach((item, i) => {
    if (!Number.isInteger(item.weightGrams) || item.weightGrams < 0) throw ShippingErrors.invalidWeight(i)
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY)
      throw ShippingErrors.invalidQuantity(i, MAX_QUANTITY)
    if (item.weightGrams > MAX_WEIGHT_GRAMS) throw ShippingErrors.itemTooHeavy(MAX_WEIGHT_GRAMS, i)
  })
  const total = items.reduce((sum, i) => sum + i.weightGrams * i.quantity, 0)
  if (total > MAX_PARCELS * MAX_WEIGHT_GRAMS)
    throw ShippingErrors.tooManyParcels(MAX_PARCELS, MAX_WEIGHT_GRAMS)
}

const sumOf = (parcels: readonly QuotedParcel[]): Money => ({
  amount: parcels.reduce((sum, p) => sum + p.cost.amount, 0),
  currency: parcels[0]?.cost.currency ?? 'USD',
})

/** Prices parcels for a customer's order: a unit too heavy for any parcel, or too many parcels, is refused. */
export function quoteParcels(weights: readonly number[], destinationCountry: string): ParcelsQuote {
  if (weights.some((w) => w > MAX_WEIGHT_GRAMS)) throw ShippingErrors.itemTooHeavy(MAX_WEIGHT_GRAMS)
  if (weights.length > MAX_PARCELS) throw ShippingErrors.tooManyParcels(MAX_PARCELS, MAX_WEIGHT_GRAMS)
  const quotes = weights.map((w) => quote(w, destinationCountry))
  const parcels = quotes.map((q, i) => ({
    number: i + 1,
    weightGrams: weights[i]!,
    cost: q.cost,
    estimatedDays: q.estimatedDays,
  }))
  const first = quotes[0] ?? quote(0, destinationCountry)
  return {
    cost: sumOf(parcels),
    carrier: first.carrier,
    estimatedDays: Math.max(...parcels.map((p) => p.estimatedDays)),
    zone: first.zone,
    parcels,
  }
}

/** Prices the parcels of an order already paid for: never refused (see quoteForShipment). */
export function quoteParcelsForShipment(weights: readonly number[], destinationCountry: string) {
  return weights.map((w, i) => ({
    number: i + 1,
    weightGrams: w,
    ...quoteForShipment(w, destinationCountry),
  }))
}
