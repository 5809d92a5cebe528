import { describe, expect, it } from 'vitest'
import { ApiError, readable } from './api/http'
import { attemptFor, fingerprintOf } from './checkout-attempt'
import { decimalOf, formatMoney, minorUnits } from './format'
import { furthest, timelineOf } from './order-progress'
import { refreshDelayMs } from './state/refresh-timing'

// The storefront's logic that needs no browser: money, checkout attempts, token renewal, order progress.

describe('money from minor units', () => {
  it('when an amount is in cents, then it reads as dollars and cents', () => {
    expect(formatMoney({ amount: 1299, currency: 'USD' })).toBe('$12.99')
    expect(formatMoney({ amount: 5, currency: 'USD' })).toBe('$0.05')
    expect(formatMoney({ amount: 123456, currency: 'EUR' })).toBe('€1,234.56')
  })

  it('when the currency has no minor unit, then the amount is whole', () => {
    expect(formatMoney({ amount: 1299, currency: 'JPY' })).toBe('¥1,299')
  })

  it('when an admin types a price, then it becomes minor units, and back', () => {
    expect(minorUnits('12.99', 'USD')).toBe(1299)
    expect(minorUnits('12,5', 'USD')).toBe(1250)
    expect(minorUnits('7', 'USD')).toBe(700)
    expect(minorUnits('1299', 'JPY')).toBe(1299)
    expect(minorUnits('12.999', 'USD')).toBeUndefined()
    expect(minorUnits('-1', 'USD')).toBeUndefined()
    expect(minorUnits('abc', 'USD')).toBeUndefined()
    expect(decimalOf({ amount: 1299, currency: 'USD' })).toBe('12.99')
    expect(decimalOf({ amount: 1299, currency: 'JPY' })).toBe('1299')
  })
})

describe('checkout attempts and their Idempotency-Key', () => {
  let n = 0
  const key = () => `key-${++n}`
  const form = {
    lines: [{ productId: 'mug', quantity: 1 }],
    address: { city: 'Springfield', line1: '1 Main St' },
  }

  it('when the same form is sent again, then it is the same attempt with the same key', () => {
    const first = attemptFor(undefined, form, key)
    const again = attemptFor(
      first,
      { address: { line1: '1 Main St', city: 'Springfield' }, lines: form.lines },
      key,
    )
    expect(again).toBe(first)
    expect(again.key).toBe(first.key)
  })

  it('when anything in the form changed, then it is a new attempt with a new key', () => {
    const first = attemptFor(undefined, form, key)
    const changed = attemptFor(first, { ...form, lines: [{ productId: 'mug', quantity: 2 }] }, key)
    expect(changed.key).not.toBe(first.key)
  })

  it('when there is no pending attempt (the last one was settled), then the same form gets a new key', () => {
    const first = attemptFor(undefined, form, key)
    expect(attemptFor(undefined, form, key).key).not.toBe(first.key)
  })

  it('when a value is left out or its keys come in another order, then the fingerprint is the same', () => {
    expect(fingerprintOf({ a: 1, b: undefined, c: [1, { y: 2, x: 1 }] })).toBe(
      fingerprintOf({ c: [1, { x: 1, y: 2 }], a: 1 }),
    )
  })

  it('when the answer is lost or the gateway is busy, then the outcome is unknown and the attempt is kept', () => {
    expect(new ApiError(0, 'NETWORK', 'unreachable').outcomeUnknown).toBe(true)
    expect(new ApiError(503, 'UNAVAILABLE', 'down').outcomeUnknown).toBe(true)
    expect(new ApiError(409, 'ORDERS_IDEMPOTENCY_IN_FLIGHT', 'in flight').outcomeUnknown).toBe(true)
    expect(new ApiError(400, 'INVALID_ARGUMENT', 'bad').outcomeUnknown).toBe(false)
    expect(new ApiError(422, 'INVENTORY_OUT_OF_STOCK', 'gone').outcomeUnknown).toBe(false)
  })
})

describe('field errors of the API', () => {
  it('when the API names fields, then each keeps its first message, in words for a form', () => {
    const err = new ApiError(400, 'INVALID_ARGUMENT', 'invalid body', [
      { field: 'shippingAddress.city', message: "must have required property 'city'" },
      { field: 'shippingAddress.line1', message: 'must NOT have fewer than 1 characters' },
      { field: 'shippingAddress.line1', message: 'another' },
      { field: 'card.number', message: 'not a valid card number: check the digits' },
    ])
    expect(err.fields).toEqual({
      'shippingAddress.city': 'Required',
      'shippingAddress.line1': 'Required',
      'card.number': 'Not a valid card number: check the digits',
    })
    expect(readable('must be >= 1')).toBe('At least 1')
    expect(readable('must NOT have more than 20 characters')).toBe('At most 20 characters')
  })
})

describe('silent renewal of the access token', () => {
  it('when a token lives 15 minutes, then it is renewed a minute before it expires', () => {
    expect(refreshDelayMs({ expiresAt: 900_000, lifetimeMs: 900_000 }, 0)).toBe(840_000)
  })

  it('when a token lives 20 s, then it is renewed with a fifth of its life left', () => {
    expect(refreshDelayMs({ expiresAt: 20_000, lifetimeMs: 20_000 }, 0)).toBe(16_000)
  })

  it('when the renewal is overdue (the tab slept), then it is due now', () => {
    expect(refreshDelayMs({ expiresAt: 20_000, lifetimeMs: 20_000 }, 19_000)).toBe(0)
  })
})

describe('an order’s progress', () => {
  it('when the stream brings statuses the last read did not have, then the timeline adds them once, in order', () => {
    const history = [{ status: 'PENDING_PAYMENT' as const, at: 't0' }]
    const live = [
      { orderId: 'o', status: 'PENDING_PAYMENT' as const, reason: '', at: 't0' },
      { orderId: 'o', status: 'CONFIRMED' as const, reason: '', at: 't1' },
      { orderId: 'o', status: 'CANCELLED' as const, reason: 'customer_cancelled', at: 't2' },
    ]
    expect(timelineOf(history, live)).toEqual([
      { status: 'PENDING_PAYMENT', at: 't0' },
      { status: 'CONFIRMED', at: 't1' },
      { status: 'CANCELLED', at: 't2', reason: 'customer_cancelled' },
    ])
  })

  it('when the stream and a read disagree, then the later status wins', () => {
    expect(furthest('CONFIRMED', 'SHIPPED')).toBe('SHIPPED')
    expect(furthest('DELIVERED', 'SHIPPED')).toBe('DELIVERED')
    expect(furthest(undefined, 'CONFIRMED')).toBe('CONFIRMED')
  })
})
