import { AppError } from '@microshop/chassis/errors'
import { describe, expect, it } from 'vitest'
import { checkProductId, checkQuantity, checkRoomFor, emptyCart } from './cart.js'

const limits = { maxQuantity: 99, maxLines: 3 }

const codeOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    return err instanceof AppError
      ? `${err.kind}:${err.code}:${err.fields.map((f) => f.field).join()}`
      : 'not AppError'
  }
  return 'no error'
}

describe('quantity', () => {
  it('when a quantity from 1 to the maximum is added, then it is accepted', () => {
    expect(checkQuantity(1, limits)).toBe(1)
    expect(checkQuantity(99, limits)).toBe(99)
  })

  it('when a quantity is zero, negative, fractional or above the maximum, then it is CART_INVALID_QUANTITY', () => {
    for (const bad of [0, -1, 1.5, 100, Number.NaN])
      expect(
        codeOf(() => checkQuantity(bad, limits)),
        String(bad),
      ).toBe('invalid_argument:CART_INVALID_QUANTITY:quantity')
  })

  it('when zero is allowed (an update), then 0 passes and 100 still fails', () => {
    expect(checkQuantity(0, limits, true)).toBe(0)
    expect(codeOf(() => checkQuantity(-1, limits, true))).toContain('CART_INVALID_QUANTITY')
    expect(codeOf(() => checkQuantity(100, limits, true))).toContain('CART_INVALID_QUANTITY')
  })
})

describe('product id', () => {
  it('when a product id is empty, too long or holds a control character, then it is CART_INVALID_PRODUCT_ID', () => {
    for (const bad of ['', 'x'.repeat(201), 'a\u0000b', 'line\nbreak'])
      expect(
        codeOf(() => checkProductId(bad)),
        JSON.stringify(bad),
      ).toBe('invalid_argument:CART_INVALID_PRODUCT_ID:productId')
  })

  it('when a product id is ordinary text, then it is passed through unchanged', () => {
    expect(checkProductId('espresso-cup')).toBe('espresso-cup')
    expect(checkProductId('x'.repeat(200))).toHaveLength(200)
  })
})

describe('line limit', () => {
  it('when the cart is full, then a new product is CART_TOO_MANY_LINES but more of a present one is fine', () => {
    expect(codeOf(() => checkRoomFor(3, false, limits))).toBe(
      'failed_precondition:CART_TOO_MANY_LINES:productId',
    )
    expect(codeOf(() => checkRoomFor(3, true, limits))).toBe('no error')
    expect(codeOf(() => checkRoomFor(2, false, limits))).toBe('no error')
  })
})

describe('empty cart', () => {
  it('when a user has no cart yet, then the empty cart names the user and carries no token', () => {
    expect(emptyCart({ kind: 'user', userId: 'u1' })).toEqual({
      id: '',
      userId: 'u1',
      token: '',
      updatedAt: '',
      lines: [],
    })
    expect(emptyCart({ kind: 'anonymous', token: 'abc' }).token).toBe('')
  })
})
