import { describe, expect, it } from 'vitest'
import { SEED_LOW_PRODUCTS, SEED_LOW_QUANTITY, SEED_MAX, SEED_MIN, seedQuantities } from './seed-stock.js'

const ids = Array.from({ length: 40 }, (_, i) => `product-${i}`)

describe('opening stock', () => {
  it('when the same products are seeded twice, then they get the same quantities', () => {
    expect(seedQuantities(ids)).toEqual(seedQuantities([...ids].reverse()))
  })

  it('when products are seeded, then a couple are deliberately low and the rest within the range', () => {
    const quantities = [...seedQuantities(ids).values()]
    expect(quantities.filter((q) => q === SEED_LOW_QUANTITY)).toHaveLength(SEED_LOW_PRODUCTS)
    const rest = quantities.filter((q) => q !== SEED_LOW_QUANTITY)
    expect(rest.every((q) => q >= SEED_MIN && q <= SEED_MAX)).toBe(true)
    expect(new Set(rest).size).toBeGreaterThan(10)
  })
})
