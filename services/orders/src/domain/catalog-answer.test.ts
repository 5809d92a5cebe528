import { describe, expect, it } from 'vitest'
import { type CatalogProduct, checkCatalogAnswer } from './catalog-answer.js'

const mug: CatalogProduct = {
  id: 'mug',
  name: 'Mug',
  price: { amount: 899, currency: 'USD' },
  weightGrams: 350,
}
const codeOf = (answer: CatalogProduct[]) => {
  try {
    checkCatalogAnswer(['mug'], answer)
    return 'accepted'
  } catch (err) {
    return (err as { code: string }).code
  }
}

describe('checkCatalogAnswer', () => {
  it('when the catalog answers sound products, then they are priced as answered', () => {
    expect(checkCatalogAnswer(['mug', 'gone'], [mug])).toEqual([
      { id: 'mug', name: 'Mug', price: { amount: 899, currency: 'USD' }, weightGrams: 350 },
    ])
  })

  it('when a price is missing, negative, fractional, too large or in no currency, or a product was not asked for, then the order is refused', () => {
    const broken: CatalogProduct[] = [
      { ...mug, price: undefined },
      { ...mug, price: { amount: -500, currency: 'USD' } },
      { ...mug, price: { amount: 8.99, currency: 'USD' } },
      { ...mug, price: { amount: 100_000_001, currency: 'USD' } },
      { ...mug, price: { amount: 899, currency: '' } },
      { ...mug, weightGrams: -1 },
      { ...mug, id: 'kettle' },
    ]
    for (const product of broken)
      expect(codeOf([product]), JSON.stringify(product)).toBe('ORDERS_PEER_ANSWER_INVALID')
  })
})
