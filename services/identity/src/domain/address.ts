import type { FieldError } from '@microshop/chassis/errors'

export interface Address {
  id: string
  label: string
  name: string
  line1: string
  line2: string
  city: string
  region: string
  postalCode: string
  /** ISO 3166-1 alpha-2, uppercase. */
  country: string
  phone: string
  isDefault: boolean
}

export const MAX_ADDRESSES = 10

type TextField = Exclude<keyof Address, 'id' | 'isDefault'>

const LIMITS: Record<TextField, { max: number; required?: boolean }> = {
  label: { max: 50 },
  name: { max: 100 },
  line1: { max: 200, required: true },
  line2: { max: 200 },
  city: { max: 100, required: true },
  region: { max: 100 },
  postalCode: { max: 20, required: true },
  country: { max: 2, required: true },
  phone: { max: 30 },
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' })
// codes Intl names that ISO 3166-1 does not assign to a country
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'ZZ', 'QO'])

export const isCountryCode = (code: string): boolean =>
  /^[A-Z]{2}$/.test(code) && !NOT_COUNTRIES.has(code) && regionNames.of(code) !== code

const POSTAL_CODE = /^[\p{L}\p{N}][\p{L}\p{N} -]*$/u
const PHONE = /^\+?[0-9][0-9 ().-]{2,29}$/

/** Trims every text field; ids and the default flag are kept as given. */
export const normaliseAddress = (a: Address): Address => ({
  ...a,
  id: a.id.trim(),
  label: a.label.trim(),
  name: a.name.trim(),
  line1: a.line1.trim(),
  line2: a.line2.trim(),
  city: a.city.trim(),
  region: a.region.trim(),
  postalCode: a.postalCode.trim(),
  country: a.country.trim(),
  phone: a.phone.trim(),
})

function addressProblems(a: Address, at: string): FieldError[] {
  const errors: FieldError[] = []
  for (const [field, limit] of Object.entries(LIMITS) as [TextField, (typeof LIMITS)[TextField]][]) {
    const value = a[field]
    if (limit.required && value === '') errors.push({ field: `${at}.${field}`, message: 'required' })
    else if ([...value].length > limit.max)
      errors.push({ field: `${at}.${field}`, message: `at most ${limit.max} characters` })
    else if (/\p{Cc}/u.test(value))
      errors.push({ field: `${at}.${field}`, message: 'must not contain control characters' })
  }
  const named = new Set(errors.map((e) => e.field))
  if (a.country !== '' && !named.has(`${at}.country`) && !isCountryCode(a.country))
    errors.push({ field: `${at}.country`, message: 'an ISO 3166-1 alpha-2 code in uppercase, e.g. US' })
  if (a.postalCode !== '' && !named.has(`${at}.postalCode`) && !POSTAL_CODE.test(a.postalCode))
    errors.push({ field: `${at}.postalCode`, message: 'letters, digits, spaces and dashes only' })
  if (a.phone !== '' && !named.has(`${at}.phone`) && !PHONE.test(a.phone))
    errors.push({ field: `${at}.phone`, message: 'digits, spaces and ()+-. only, e.g. +1 555 0100' })
  return errors
}

/**
 * The addresses that replace a user's current ones, checked and normalised: an entry naming an
 * existing id keeps it, an entry without one gets `newId()`, and exactly one is the default.
 */
export function planAddresses(
  requested: Address[],
  existingIds: ReadonlySet<string>,
  newId: () => string,
): { addresses: Address[]; errors: FieldError[] } {
  const errors: FieldError[] = []
  if (requested.length > MAX_ADDRESSES)
    errors.push({ field: 'addresses', message: `at most ${MAX_ADDRESSES} addresses` })
  const addresses = requested.map(normaliseAddress)
  const seen = new Set<string>()
  addresses.forEach((a, i) => {
    errors.push(...addressProblems(a, `addresses[${i}]`))
    if (a.id === '') return
    if (!existingIds.has(a.id))
      errors.push({ field: `addresses[${i}].id`, message: 'no such address; leave empty for a new one' })
    else if (seen.has(a.id)) errors.push({ field: `addresses[${i}].id`, message: 'listed twice' })
    seen.add(a.id)
  })
  if (addresses.filter((a) => a.isDefault).length > 1)
    errors.push({ field: 'addresses', message: 'at most one address can be the default' })
  if (errors.length > 0) return { addresses: [], errors }
  const hasDefault = addresses.some((a) => a.isDefault)
  return {
    addresses: addresses.map((a, i) => ({
      ...a,
      id: a.id || newId(),
      isDefault: hasDefault ? a.isDefault : i === 0,
    })),
    errors,
  }
}
