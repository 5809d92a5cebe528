import { describe, expect, it } from 'vitest'
import type { Product } from './product.js'
import { eventsOfUpsert } from './product-events.js'

const product = (amount: number, currency = 'USD'): Product => ({
  id: 'mug',
  name: 'Mug',
  description: '',
  price: { amount, currency },
  category: 'home',
  imageUrl: '/images/products/mug.svg',
  weightGrams: 300,
  updatedAt: '2026-01-01T00:00:00.000Z',
})

describe('eventsOfUpsert', () => {
  it('when a product is new, then it is updated (created) and no price changed', () => {
    expect(eventsOfUpsert(undefined, product(900), true)).toEqual([
      { kind: 'ProductUpdated', product: product(900), created: true },
    ])
  })

  it('when the price moved, then the price changed too, from the previous to the new', () => {
    expect(eventsOfUpsert({ amount: 1_000, currency: 'USD' }, product(900), false)).toEqual([
      { kind: 'ProductUpdated', product: product(900), created: false },
      {
        kind: 'PriceChanged',
        productId: 'mug',
        previousPrice: { amount: 1_000, currency: 'USD' },
        price: { amount: 900, currency: 'USD' },
      },
    ])
  })

  it('when the price is the same, then only the product is updated', () => {
    expect(eventsOfUpsert({ amount: 900, currency: 'USD' }, product(900), false).map((e) => e.kind)).toEqual([
      'ProductUpdated',
    ])
  })
})
