import { describe, expect, it } from 'vitest'
import { MAX_WEIGHT_GRAMS, quote, quoteForShipment, zoneOf } from './quote.js'

const codeOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    return (err as { code: string }).code
  }
  throw new Error('expected an error')
}

describe('quote', () => {
  it('when a light parcel goes within the US, then it costs the first domestic band', () => {
    expect(quote(400, 'US')).toEqual({
      cost: { amount: 499, currency: 'USD' },
      carrier: 'Microshop Ground',
      estimatedDays: 3,
      zone: 'domestic',
    })
  })

  it('when the weight sits exactly on a band edge, then the lower band applies', () => {
    expect(quote(500, 'US').cost.amount).toBe(499)
    expect(quote(501, 'US').cost.amount).toBe(899)
    expect(quote(2_000, 'US').cost.amount).toBe(899)
    expect(quote(5_001, 'US').cost.amount).toBe(1_999)
  })

  it('when the parcel goes abroad, then the international carrier and price apply', () => {
    const q = quote(1_200, 'de')
    expect(q).toMatchObject({ carrier: 'Microshop Global Express', estimatedDays: 7, zone: 'international' })
    expect(q.cost.amount).toBe(2_999)
    expect(q.cost.amount).toBeGreaterThan(quote(1_200, 'US').cost.amount)
  })

  it('when the parcel is over 10 kg, then it travels a day longer', () => {
    expect(quote(10_001, 'US').estimatedDays).toBe(4)
    expect(quote(10_001, 'FR').estimatedDays).toBe(8)
  })

  it('when the input is wrong, then it is refused with a code per problem', () => {
    expect(codeOf(() => quote(-1, 'US'))).toBe('SHIPPING_INVALID_WEIGHT')
    expect(codeOf(() => quote(1.5, 'US'))).toBe('SHIPPING_INVALID_WEIGHT')
    expect(codeOf(() => quote(MAX_WEIGHT_GRAMS + 1, 'US'))).toBe('SHIPPING_TOO_HEAVY')
    expect(codeOf(() => quote(100, ''))).toBe('SHIPPING_INVALID_DESTINATION')
    expect(codeOf(() => quote(100, 'USA'))).toBe('SHIPPING_INVALID_DESTINATION')
  })

  it('when a paid order is too heavy or has no country, then it is still priced, never refused', () => {
    expect(quoteForShipment(MAX_WEIGHT_GRAMS * 2, 'US').cost.amount).toBe(
      quote(MAX_WEIGHT_GRAMS, 'US').cost.amount,
    )
    expect(quoteForShipment(100, '').zone).toBe('international')
    expect(quoteForShipment(100, ' us ').zone).toBe('domestic')
  })
})

describe('zoneOf', () => {
  it('when the country is the US in any case, then it is domestic', () => {
    expect(zoneOf('us')).toBe('domestic')
    expect(zoneOf('CA')).toBe('international')
  })
})
