import { describe, expect, it } from 'vitest'
import {
  checkItems,
  MAX_PARCELS,
  packParcels,
  quoteParcels,
  quoteParcelsForShipment,
  splitWeight,
} from './parcels.js'
import { MAX_WEIGHT_GRAMS, quote } from './quote.js'

const failureOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    const { code, fields } = err as { code: string; fields: { field: string }[] }
    return { code, fields: fields.map((f) => f.field) }
  }
  throw new Error('expected an error')
}
const codeOf = (fn: () => unknown) => failureOf(fn).code

const DUMBBELLS = { weightGrams: 24_500, quantity: 2 }

describe('packParcels', () => {
  it('when everything fits in one parcel, then there is one parcel of the whole weight', () => {
    expect(
      packParcels([
        { weightGrams: 600, quantity: 2 },
        { weightGrams: 300, quantity: 1 },
      ]),
    ).toEqual([1_500])
  })

  it('when two pairs of dumbbells are over 30 kg together, then each pair is a parcel of its own', () => {
    expect(packParcels([DUMBBELLS])).toEqual([24_500, 24_500])
  })

  it('when light units come with heavy ones, then they fill the first parcel with room, heaviest first', () => {
    expect(
      packParcels([{ weightGrams: 2_000, quantity: 3 }, DUMBBELLS, { weightGrams: 12_400, quantity: 1 }]),
    ).toEqual([28_500, 26_500, 12_400])
  })

  it('when no unit weighs anything or nothing is shipped, then it is still one parcel', () => {
    expect(packParcels([])).toEqual([0])
    expect(packParcels([{ weightGrams: 0, quantity: 5 }])).toEqual([0])
  })

  it('when a unit is heavier than a parcel may be, then it travels alone and is never split', () => {
    expect(
      packParcels([
        { weightGrams: MAX_WEIGHT_GRAMS + 1, quantity: 1 },
        { weightGrams: 100, quantity: 1 },
      ]),
    ).toEqual([MAX_WEIGHT_GRAMS + 1, 100])
  })

  it('when the same units come in another order, then they pack alike', () => {
    const a = packParcels([
      { weightGrams: 9_000, quantity: 4 },
      { weightGrams: 5_000, quantity: 3 },
    ])
    const b = packParcels([
      { weightGrams: 5_000, quantity: 3 },
      { weightGrams: 9_000, quantity: 4 },
    ])
    expect(a).toEqual(b)
    expect(a.every((w) => w <= MAX_WEIGHT_GRAMS)).toBe(true)
    expect(a.reduce((s, w) => s + w, 0)).toBe(51_000)
  })
})

describe('checkItems', () => {
  it('when one unit is heavier than any parcel, then SHIPPING_TOO_HEAVY names that item', () => {
    expect(
      failureOf(() =>
        checkItems([
          { weightGrams: 300, quantity: 1 },
          { weightGrams: MAX_WEIGHT_GRAMS + 1, quantity: 1 },
        ]),
      ),
    ).toEqual({ code: 'SHIPPING_TOO_HEAVY', fields: ['items[1].weightGrams'] })
    expect(() => checkItems([{ weightGrams: MAX_WEIGHT_GRAMS, quantity: 1 }])).not.toThrow()
  })

  it('when the units weigh more than the most parcels can carry, then SHIPPING_TOO_HEAVY before any packing', () => {
    const limit = MAX_PARCELS * MAX_WEIGHT_GRAMS
    expect(failureOf(() => checkItems([{ weightGrams: 1_000, quantity: limit / 1_000 + 1 }]))).toEqual({
      code: 'SHIPPING_TOO_HEAVY',
      fields: ['items'],
    })
    expect(() => checkItems([{ weightGrams: 1_000, quantity: limit / 1_000 }])).not.toThrow()
  })

  it('when a quantity or a weight is not a sensible whole number, then the item is named', () => {
    expect(failureOf(() => checkItems([{ weightGrams: 10, quantity: 0 }]))).toEqual({
      code: 'SHIPPING_INVALID_QUANTITY',
      fields: ['items[0].quantity'],
    })
    expect(failureOf(() => checkItems([{ weightGrams: 1.5, quantity: 1 }]))).toEqual({
      code: 'SHIPPING_INVALID_WEIGHT',
      fields: ['items[0].weightGrams'],
    })
  })
})

describe('splitWeight', () => {
  it('when only a weight is known, then it is full parcels and the rest', () => {
    expect(splitWeight(49_000)).toEqual([30_000, 19_000])
    expect(splitWeight(60_000)).toEqual([30_000, 30_000])
    expect(splitWeight(400)).toEqual([400])
    expect(splitWeight(0)).toEqual([0])
    expect(codeOf(() => splitWeight(-1))).toBe('SHIPPING_INVALID_WEIGHT')
  })
})

describe('quoteParcels', () => {
  it('when an order ships in two parcels, then each is priced and the cost is their sum', () => {
    const q = quoteParcels([24_500, 24_500], 'US')
    const one = quote(24_500, 'US')
    expect(q.parcels).toEqual([
      { number: 1, weightGrams: 24_500, cost: one.cost, estimatedDays: one.estimatedDays },
      { number: 2, weightGrams: 24_500, cost: one.cost, estimatedDays: one.estimatedDays },
    ])
    expect(q.cost).toEqual({ amount: one.cost.amount * 2, currency: 'USD' })
    expect(q).toMatchObject({ carrier: 'Microshop Ground', estimatedDays: 4, zone: 'domestic' })
  })

  it('when parcels travel at different speeds, then the order takes as long as the slowest', () => {
    expect(quoteParcels([20_000, 400], 'DE').estimatedDays).toBe(8)
  })

  it('when a unit cannot fit a parcel or the order needs too many, then SHIPPING_TOO_HEAVY', () => {
    expect(codeOf(() => quoteParcels([MAX_WEIGHT_GRAMS + 1], 'US'))).toBe('SHIPPING_TOO_HEAVY')
    const many = Array.from({ length: MAX_PARCELS + 1 }, () => 20_000)
    expect(codeOf(() => quoteParcels(many, 'US'))).toBe('SHIPPING_TOO_HEAVY')
    expect(quoteParcels(many.slice(1), 'US').parcels).toHaveLength(MAX_PARCELS)
  })
})

describe('quoteParcelsForShipment', () => {
  it('when a paid order has a unit over the limit, then its parcel is still priced, never refused', () => {
    const [parcel] = quoteParcelsForShipment([MAX_WEIGHT_GRAMS * 2], 'US')
    expect(parcel).toMatchObject({ number: 1, weightGrams: MAX_WEIGHT_GRAMS * 2 })
    expect(parcel?.cost).toEqual(quote(MAX_WEIGHT_GRAMS, 'US').cost)
  })
})
