import { describe, expect, it } from 'vitest'
import { orderPageTokens } from './paging.js'

const cursor = { createdAt: '2026-06-01T12:00:00.000Z', id: '0b9f4a52-7d0c-4c8e-9d4e-3f1b2a6c5d7e' }

describe('ListOrders page tokens', () => {
  it('when a cursor is encoded, then it decodes to itself, and an empty token is the first page', () => {
    expect(orderPageTokens.decode(orderPageTokens.encode(cursor))).toEqual({ after: cursor })
    expect(orderPageTokens.decode('')).toEqual({ after: undefined })
  })

  it('when a token was issued before the shared codec, then it still decodes', () => {
    const old = `k1.${Buffer.from(`${cursor.createdAt}|${cursor.id}`).toString('base64url')}`
    expect(orderPageTokens.encode(cursor)).toBe(old)
    expect(orderPageTokens.decode(old)).toEqual({ after: cursor })
  })

  it('when a token is not one of ours or is malformed, then it decodes to nothing', () => {
    const wrap = (text: string) => `k1.${Buffer.from(text).toString('base64url')}`
    for (const token of ['nonsense', 'o1.abc', wrap('yesterday|x'), wrap(`${cursor.createdAt}|not-a-uuid`)])
      expect(orderPageTokens.decode(token)).toBeUndefined()
    expect(orderPageTokens.decode(wrap(`${cursor.createdAt}|${cursor.id}|more`))).toBeUndefined()
  })
})
