import { ShippingErrors } from './errors.js'

export interface Money {
  amount: number
  currency: string
}

export type Zone = 'domestic' | 'international'

export interface Quote {
  cost: Money
  carrier: string
  estimatedDays: number
  zone: Zone
}

/** The heaviest parcel a carrier takes. */
export const MAX_WEIGHT_GRAMS = 30_000

interface Band {
  upToGrams: number
  cents: number
}

// price per weight band; heavier than the last band is refused
const BANDS: Record<Zone, Band[]> = {
  domestic: [
    { upToGrams: 500, cents: 499 },
    { upToGrams: 2_000, cents: 899 },
    { upToGrams: 5_000, cents: 1_299 },
    { upToGrams: 10_000, cents: 1_999 },
    { upToGrams: MAX_WEIGHT_GRAMS, cents: 3_499 },
  ],
  international: [
    { upToGrams: 500, cents: 1_499 },
    { upToGrams: 2_000, cents: 2_999 },
    { upToGrams: 5_000, cents: 4_999 },
    { upToGrams: 10_000, cents: 7_999 },
    { upToGrams: MAX_WEIGHT_GRAMS, cents: 14_999 },
  ],
}

const CARRIERS: Record<Zone, { name: string; days: number }> = {
  domestic: { name: 'Microshop Ground', days: 3 },
  international: { name: 'Microshop Global Express', days: 7 },
}

export const HOME_COUNTRY = 'US'

/** The zone of a destination: the home country is domestic, any other country international. */
export function zoneOf(country: string): Zone {
  const code = country.trim().toUpperCase()
  if (!/^[A-Z]{2}$/.test(code)) throw ShippingErrors.invalidDestination()
  return code === HOME_COUNTRY ? 'domestic' : 'international'
}

/** Prices a parcel by its weight band and zone, in USD cents, with the carrier and its transit time. */
export function quote(weightGrams: number, destinationCountry: string): Quote {
  if (!Number.isInteger(weightGrams) || weightGrams < 0) throw ShippingErrors.invalidWeight()
  if (weightGrams > MAX_WEIGHT_GRAMS) throw ShippingErrors.tooHeavy(MAX_WEIGHT_GRAMS)
  const zone = zoneOf(destinationCountry)
  const band = BANDS[zone].find((b) => weightGrams <= b.upToGrams)!
  const carrier = CARRIERS[zone]
  // heavy parcels travel a day longer
  const estimatedDays = carrier.days + (weightGrams > 10_000 ? 1 : 0)
  return { cost: { amount: band.cents, currency: 'USD' }, carrier: carrier.name, estimatedDays, zone }
}

/**
 * The quote for an order already paid for: never refused. A parcel over the limit is priced at the top
 * band, a destination that is not a country code at the international rate.
 */
export function quoteForShipment(weightGrams: number, destinationCountry: string): Quote {
  const weight = Math.min(Math.max(0, Math.trunc(weightGrams)), MAX_WEIGHT_GRAMS)
  const country = destinationCountry.trim().toUpperCase()
  return quote(weight, /^[A-Z]{2}$/.test(country) ? country : 'ZZ')
}
