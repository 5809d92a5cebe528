import { describe, expect, it } from 'vitest'
import { type Address, isCountryCode, MAX_ADDRESSES, planAddresses } from './address.js'

const address = (patch: Partial<Address> = {}): Address => ({
  id: '',
  label: 'Home',
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  line2: '',
  city: 'London',
  region: '',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
  phone: '+44 20 7946 0000',
  isDefault: false,
  ...patch,
})

let counter = 0
const newId = () => `new-${++counter}`
const fieldsOf = (requested: Address[], existing: string[] = []) =>
  planAddresses(requested, new Set(existing), newId).errors.map((e) => e.field)

describe('planAddresses', () => {
  it('when addresses are valid, then they are trimmed, new ones get ids and known ids are kept', () => {
    const { addresses, errors } = planAddresses(
      [
        address({ id: 'a1', city: '  London  ' }),
        address({ label: 'Work', country: 'FR', postalCode: '75001' }),
      ],
      new Set(['a1']),
      () => 'fresh',
    )
    expect(errors).toEqual([])
    expect(addresses.map((a) => a.id)).toEqual(['a1', 'fresh'])
    expect(addresses[0]!.city).toBe('London')
  })

  it('when none is marked default, then the first one becomes the default', () => {
    const { addresses } = planAddresses([address(), address()], new Set(), newId)
    expect(addresses.map((a) => a.isDefault)).toEqual([true, false])
  })

  it('when one is marked default, then it alone stays the default', () => {
    const { addresses } = planAddresses([address(), address({ isDefault: true })], new Set(), newId)
    expect(addresses.map((a) => a.isDefault)).toEqual([false, true])
  })

  it('when two are marked default, then the list is refused', () => {
    expect(fieldsOf([address({ isDefault: true }), address({ isDefault: true })])).toEqual(['addresses'])
  })

  it('when required fields are empty, then each is named with its index', () => {
    expect(fieldsOf([address(), address({ line1: ' ', city: '', postalCode: '', country: '' })])).toEqual([
      'addresses[1].line1',
      'addresses[1].city',
      'addresses[1].postalCode',
      'addresses[1].country',
    ])
  })

  it('when the country is not an uppercase ISO 3166-1 alpha-2 code, then the country is named', () => {
    for (const country of ['gb', 'GBR', 'G', 'XX', 'ZZ', 'EU', 'U1'])
      expect(fieldsOf([address({ country })]), country).toEqual(['addresses[0].country'])
    for (const country of ['US', 'DE', 'JP', 'BR'])
      expect(fieldsOf([address({ country })]), country).toEqual([])
  })

  it('when postal code or phone hold odd characters or are too long, then they are named', () => {
    expect(fieldsOf([address({ postalCode: '<script>' })])).toEqual(['addresses[0].postalCode'])
    expect(fieldsOf([address({ postalCode: '1'.repeat(21) })])).toEqual(['addresses[0].postalCode'])
    expect(fieldsOf([address({ phone: 'call me' })])).toEqual(['addresses[0].phone'])
    expect(fieldsOf([address({ line1: 'x'.repeat(201) })])).toEqual(['addresses[0].line1'])
    expect(fieldsOf([address({ city: 'Lon\u0000don' })])).toEqual(['addresses[0].city'])
  })

  it('when more than the maximum is sent, then the list is refused', () => {
    expect(fieldsOf(Array.from({ length: MAX_ADDRESSES }, () => address()))).toEqual([])
    expect(fieldsOf(Array.from({ length: MAX_ADDRESSES + 1 }, () => address()))).toEqual(['addresses'])
  })

  it('when an id is unknown or listed twice, then that entry id is named', () => {
    expect(fieldsOf([address({ id: 'someone-elses' })], ['mine'])).toEqual(['addresses[0].id'])
    expect(fieldsOf([address({ id: 'mine' }), address({ id: 'mine' })], ['mine'])).toEqual([
      'addresses[1].id',
    ])
  })

  it('when anything is wrong, then no address comes back', () => {
    expect(planAddresses([address(), address({ city: '' })], new Set(), newId).addresses).toEqual([])
  })
})

describe('isCountryCode', () => {
  it('when a code is assigned, then it is a country code', () => {
    expect(isCountryCode('NZ')).toBe(true)
    expect(isCountryCode('QQ')).toBe(false)
  })
})
