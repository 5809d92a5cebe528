import { describe, expect, it } from 'vitest'
import { canonicalJson, requestFingerprint } from './fingerprint.js'
import type { PlaceOrderRequest } from './place-order.js'

const KEY = 'a-test-fingerprint-key-of-32-chars!'
const fingerprint = (req: PlaceOrderRequest, key = KEY) => requestFingerprint(req, key)

const request = (over: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  idempotencyKey: 'key-1',
  lines: [{ productId: 'p1', quantity: 2 }],
  shippingAddress: {
    name: 'Ada',
    line1: '1 Main St',
    line2: '',
    city: 'Springfield',
    region: '',
    postalCode: '12345',
    country: 'US',
    phone: '',
  },
  card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' },
  ...over,
})

describe('the idempotency fingerprint', () => {
  it('when two objects differ only in key order, then their canonical JSON is the same', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(canonicalJson({ a: [{ x: 1, y: 2 }], b: 1 }))
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}')
  })

  it('when the same body comes again, even with another key, then the fingerprint is the same', () => {
    expect(fingerprint(request())).toBe(fingerprint(request({ idempotencyKey: 'other' })))
    expect(fingerprint(request())).toMatch(/^[0-9a-f]{64}$/)
  })

  it('when any part of the body changes, the card number or expiry included, then the fingerprint changes', () => {
    const base = fingerprint(request())
    const variants = [
      request({ lines: [{ productId: 'p1', quantity: 3 }] }),
      request({ lines: [] }),
      request({ shippingAddress: { ...request().shippingAddress!, city: 'Shelbyville' } }),
      request({ card: { number: '4000000000000002', expMonth: 12, expYear: 2030, cvc: '123' } }),
      request({ card: { number: '4242424242424242', expMonth: 11, expYear: 2030, cvc: '123' } }),
      request({ card: { number: '4242424242424242', expMonth: 12, expYear: 2031, cvc: '123' } }),
      request({ card: undefined }),
      request({ card: undefined, token: 'tok_a' }),
      request({ card: undefined, token: 'tok_b' }),
    ]
    const prints = variants.map((v) => fingerprint(v))
    expect(new Set([base, ...prints]).size).toBe(variants.length + 1)
  })

  it('when only the CVC differs, then the fingerprint is the same: nothing kept depends on the CVC', () => {
    const card = request().card!
    expect(fingerprint(request({ card: { ...card, cvc: '999' } }))).toBe(fingerprint(request()))
    expect(fingerprint(request({ card: { ...card, cvc: '' } }))).toBe(fingerprint(request()))
  })

  it('when the key differs, then the fingerprint differs: without the key no card number can be tested', () => {
    expect(fingerprint(request(), 'another-fingerprint-key-of-32-chars')).not.toBe(fingerprint(request()))
    // the unkeyed SHA-256 this replaced, over the same body: not what is kept any more
    expect(fingerprint(request())).not.toBe(
      '5817206d10a68995b89f2be829f7d0d7587785400429b906200247aad3d9e6ed',
    )
  })

  it('when a card request has no token, then its fingerprint is that of the card alone', () => {
    expect(fingerprint(request({ token: undefined }))).toBe(fingerprint(request()))
  })

  it('when a fingerprint is made, then the card number appears nowhere in what is hashed or kept', () => {
    const print = fingerprint(request())
    expect(print).not.toContain('4242')
  })
})
