import { describe, expect, it } from 'vitest'
import { hashCartToken, lookupHashOf, newCartToken } from './cart-token.js'

describe('cart tokens', () => {
  it('when a token is made, then it is 32 random bytes in base64url and differs every time', () => {
    const tokens = new Set(Array.from({ length: 100 }, newCartToken))
    expect(tokens.size).toBe(100)
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(Buffer.from(token, 'base64url')).toHaveLength(32)
    }
  })

  it('when a token is looked up, then only its SHA-256 is used', () => {
    const token = newCartToken()
    expect(lookupHashOf(token)).toEqual(hashCartToken(token))
    expect(hashCartToken(token)).toHaveLength(32)
    expect(hashCartToken(token).toString('base64url')).not.toBe(token)
  })

  it('when a string cannot be a cart token, then there is nothing to look up', () => {
    for (const bad of [undefined, '', 'short', `${newCartToken()}x`, `${newCartToken().slice(1)}=`])
      expect(lookupHashOf(bad), String(bad)).toBeUndefined()
  })
})
