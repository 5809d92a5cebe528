import { describe, expect, it } from 'vitest'
import { checkHoldings, type PlaceOrderRequest, priceLines, validatePlaceOrder } from './place-order.js'

const address = {
  name: 'Ada',
  line1: '1 Main St',
  line2: '',
  city: 'Springfield',
  region: '',
  postalCode: '12345',
  country: 'us',
  phone: '',
}
const card = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' }
const request = (over: Partial<PlaceOrderRequest>): PlaceOrderRequest => ({
  idempotencyKey: 'k',
  lines: [{ productId: 'p1', quantity: 1 }],
  shippingAddress: address,
  card,
  ...over,
})
const fieldsOf = (fn: () => void) => {
  try {
    fn()
  } catch (err) {
    return (err as { fields: { field: string }[] }).fields.map((f) => f.field)
  }
  throw new Error('expected a failure')
}

describe('validating a PlaceOrder request', () => {
  it('when the request is complete, then it passes, and no lines (the cart) passes too', () => {
    expect(() => validatePlaceOrder(request({}))).not.toThrow()
    expect(() => validatePlaceOrder(request({ lines: [] }))).not.toThrow()
  })

  it('when several things are wrong, then every field is named at once', () => {
    const fields = fieldsOf(() =>
      validatePlaceOrder(
        request({
          shippingAddress: { ...address, city: ' ', country: 'USA' },
          lines: [
            { productId: 'p1', quantity: 0 },
            { productId: 'p1', quantity: 100 },
            { productId: '', quantity: 1 },
          ],
          card: undefined,
        }),
      ),
    )
    expect(fields).toEqual([
      'shippingAddress.city',
      'shippingAddress.country',
      'lines[0].quantity',
      'lines[1].productId',
      'lines[1].quantity',
      'lines[2].productId',
      'payment.card.number',
    ])
  })

  it('when a token is sent instead of a card, then it passes; both at once, or a malformed token, are refused', () => {
    expect(() => validatePlaceOrder(request({ card: undefined, token: 'tok_abc' }))).not.toThrow()
    expect(fieldsOf(() => validatePlaceOrder(request({ token: 'tok_abc' })))).toEqual([
      'payment.card',
      'payment.token',
    ])
    expect(
      fieldsOf(() => validatePlaceOrder(request({ card: undefined, token: 'tok with spaces' }))),
    ).toEqual(['payment.token'])
    expect(fieldsOf(() => validatePlaceOrder(request({ card: undefined, token: 't'.repeat(201) })))).toEqual([
      'payment.token',
    ])
  })

  it('when there are more than 50 lines or no address, then it is refused naming them', () => {
    const lines = Array.from({ length: 51 }, (_, i) => ({ productId: `p${i}`, quantity: 1 }))
    expect(fieldsOf(() => validatePlaceOrder(request({ lines, shippingAddress: undefined })))).toEqual([
      'shippingAddress',
      'lines',
    ])
  })
})

describe('pricing the lines', () => {
  const products = [
    { id: 'p1', name: 'Lamp', price: { amount: 1_250, currency: 'USD' }, weightGrams: 400 },
    { id: 'p2', name: 'Rug', price: { amount: 5_000, currency: 'USD' }, weightGrams: 2_000 },
  ]

  it('when every product is known, then lines, subtotal and weight follow the catalog', () => {
    const priced = priceLines(
      [
        { productId: 'p2', quantity: 1 },
        { productId: 'p1', quantity: 3 },
      ],
      products,
    )
    expect(priced.subtotal).toEqual({ amount: 8_750, currency: 'USD' })
    expect(priced.weightGrams).toBe(3_200)
    expect(priced.lines.map((l) => [l.productId, l.name, l.lineTotal.amount])).toEqual([
      ['p2', 'Rug', 5_000],
      ['p1', 'Lamp', 3_750],
    ])
  })

  it('when a product is unknown, then NOT_FOUND names its line', () => {
    try {
      priceLines(
        [
          { productId: 'p1', quantity: 1 },
          { productId: 'nope', quantity: 1 },
        ],
        products,
        'cart.lines',
      )
      throw new Error('expected a failure')
    } catch (err) {
      expect(err).toMatchObject({ kind: 'not_found', code: 'ORDERS_UNKNOWN_PRODUCT' })
      expect((err as { fields: { field: string }[] }).fields.map((f) => f.field)).toEqual([
        'cart.lines[1].productId',
      ])
    }
  })
})

describe('what one buyer may hold', () => {
  const caps = { maxPendingOrders: 5, maxReservedUnits: 200 }
  const lines = (...quantities: number[]) =>
    quantities.map((quantity, i) => ({ productId: `p${i}`, quantity }))

  it('when the buyer is under both caps, then the order fits, up to the last unit', () => {
    expect(checkHoldings({ pendingOrders: 4, reservedUnits: 100 }, lines(60, 40), caps)).toBeUndefined()
  })

  it('when the buyer has as many pending orders as allowed, then ORDERS_TOO_MANY_PENDING', () => {
    expect(checkHoldings({ pendingOrders: 5, reservedUnits: 0 }, lines(1), caps)?.code).toBe(
      'ORDERS_TOO_MANY_PENDING',
    )
  })

  it('when the order would take the units held past the cap, then ORDERS_TOO_MANY_RESERVED_UNITS naming what is left', () => {
    const err = checkHoldings({ pendingOrders: 1, reservedUnits: 150 }, lines(30, 21), caps)
    expect([err?.kind, err?.code]).toEqual(['resource_exhausted', 'ORDERS_TOO_MANY_RESERVED_UNITS'])
    expect(err?.fields).toEqual([{ field: 'lines', message: 'at most 50 more units now' }])
  })
})
