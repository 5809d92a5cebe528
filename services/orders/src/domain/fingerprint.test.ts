import { describe, expect, it } from 'vitest'
import { canonicalJson, requestFingerprint } from './fingerprint.js'
import type { PlaceOrderRequest } from './place-order.js'

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
    expect(requestFingerprint(request())).toBe(requestFingerprint(request({ idempotencyKey: 'other' })))
    expect(requestFingerprint(request())).toMatch(/^[0-9a-f]{64}$/)
  })

  it('when any part of the body changes, the card included, then the fingerprint changes', () => {
    const base = requestFingerprint(request())
    const variants = [
      request({ lines: [{ productId: 'p1', quantity: 3 }] }),
      request({ lines: [] }),
      request({ shippingAddress: { ...request().shippingAddress!, city: 'Shelbyville' } }),
      request({ card: { number: '4000000000000002', expMonth: 12, expYear: 2030, cvc: '123' } }),
      request({ card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '999' } }),
      request({ card: undefined }),
      request({ card: undefined, token: 'tok_a' }),
      request({ card: undefined, token: 'tok_b' }),
    ]
    const prints = variants.map(requestFingerprint)
    expect(new Set([base, ...prints]).size).toBe(variants.length + 1)
  })

  it('when a card request has no token, then its fingerprint is what it was before tokens existed', () => {
    expect(requestFingerprint(request({ token: undefined }))).toBe(requestFingerprint(request()))
    // computed by the code before PaymentMethod.token: keys stored then still match their requests
    expect(requestFingerprint(request())).toBe(
      '5817206d10a68995b89f2be829f7d0d7587785400429b906200247aad3d9e6ed',
    )
  })

  it('when a fingerprint is made, then the card number appears nowhere in what is hashed or kept', () => {
    const print = requestFingerprint(request())
    expect(print).not.toContain('4242')
  })
})
