import { AppError } from '@microshop/chassis/errors'
import { describe, expect, it } from 'vitest'
import type { StoredCart } from './cart.js'
import { type ProductSnapshot, priceCart } from './pricing.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

const cart = (lines: [string, number][]): StoredCart => ({
  id: 'c1',
  userId: '',
  token: 't',
  updatedAt: '2025-01-01T00:00:00.000Z',
  lines: lines.map(([productId, quantity], i) => ({
    productId,
    quantity,
    addedAt: `2025-01-01T00:00:0${i}.000Z`,
  })),
})

const product = (id: string, amount: number, currency = 'USD'): ProductSnapshot => ({
  id,
  name: `Name of ${id}`,
  price: { amount, currency },
  imageUrl: `/images/${id}.svg`,
})

describe('priceCart', () => {
  it('when every product is known, then lines carry catalog prices and the subtotal sums the line totals', () => {
    const priced = priceCart(
      cart([
        ['mug', 2],
        ['lamp', 1],
      ]),
      [product('lamp', 3_900), product('mug', 1_250)],
    )
    expect(priced.lines).toEqual([
      {
        productId: 'mug',
        name: 'Name of mug',
        quantity: 2,
        unitPrice: usd(1_250),
        lineTotal: usd(2_500),
        imageUrl: '/images/mug.svg',
        available: true,
      },
      {
        productId: 'lamp',
        name: 'Name of lamp',
        quantity: 1,
        unitPrice: usd(3_900),
        lineTotal: usd(3_900),
        imageUrl: '/images/lamp.svg',
        available: true,
      },
    ])
    expect(priced.subtotal).toEqual(usd(6_400))
    expect(priced.itemCount).toBe(3)
    expect(priced.token).toBe('t')
  })

  it('when a product is gone from the catalog, then its line is unavailable and neither priced nor counted', () => {
    const priced = priceCart(
      cart([
        ['gone', 5],
        ['mug', 1],
      ]),
      [product('mug', 1_000)],
    )
    expect(priced.lines[0]).toEqual({
      productId: 'gone',
      name: '',
      quantity: 5,
      unitPrice: undefined,
      lineTotal: undefined,
      imageUrl: '',
      available: false,
    })
    expect(priced.subtotal).toEqual(usd(1_000))
    expect(priced.itemCount).toBe(1)
  })

  it('when the cart is empty, then the subtotal is zero dollars', () => {
    const priced = priceCart(cart([]), [])
    expect(priced.subtotal).toEqual(usd(0))
    expect(priced.itemCount).toBe(0)
    expect(priced.lines).toEqual([])
  })

  it('when the catalog prices lines in two currencies, then pricing fails rather than adding them up', () => {
    const run = () =>
      priceCart(
        cart([
          ['a', 1],
          ['b', 1],
        ]),
        [product('a', 100), product('b', 100, 'EUR')],
      )
    expect(run).toThrow(AppError)
    expect(run).toThrow(/USD and EUR/)
  })
})
