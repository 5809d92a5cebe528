import { describe, expect, it } from 'vitest'
import { clampPageSize, pageTokens } from './paging.js'

describe('clampPageSize', () => {
  it('when no size is asked (0 or unset), then the default applies', () => {
    expect(clampPageSize(undefined, 100)).toBe(20)
    expect(clampPageSize(0, 100)).toBe(20)
    expect(clampPageSize(0, 100, 35)).toBe(35)
  })

  it('when the default is above the max, then the max wins', () => {
    expect(clampPageSize(0, 10)).toBe(10)
  })

  it('when a huge size is asked, then it is clamped to the max', () => {
    expect(clampPageSize(1e9, 100)).toBe(100)
    expect(clampPageSize(Number.MAX_SAFE_INTEGER, 250)).toBe(250)
  })

  it('when a negative or non-finite size is asked, then the default applies', () => {
    expect(clampPageSize(-1, 100)).toBe(20)
    expect(clampPageSize(-1e9, 100)).toBe(20)
    expect(clampPageSize(Number.NaN, 100)).toBe(20)
    expect(clampPageSize(Number.POSITIVE_INFINITY, 100)).toBe(20)
  })

  it('when a fractional size is asked, then it is rounded down, never to zero', () => {
    expect(clampPageSize(7.9, 100)).toBe(7)
    expect(clampPageSize(1.5, 100)).toBe(1)
    expect(clampPageSize(0.5, 100)).toBeGreaterThanOrEqual(1)
  })

  it('when a size within bounds is asked, then it is kept', () => {
    expect(clampPageSize(1, 100)).toBe(1)
    expect(clampPageSize(42, 100)).toBe(42)
    expect(clampPageSize(100, 100)).toBe(100)
  })
})

describe('pageTokens', () => {
  const tokens = pageTokens<{ at: string; id: string }>({
    prefix: 't1.',
    write: (c) => `${c.at}|${c.id}`,
    read: (text) => {
      const [at, id, ...rest] = text.split('|')
      return at && id && rest.length === 0 ? { at, id } : undefined
    },
  })

  it('when a cursor is encoded, then decoding gives it back, not in clear', () => {
    const cursor = { at: '2026-01-02T03:04:05.000Z', id: 'abc' }
    const token = tokens.encode(cursor)
    expect(token).toMatch(/^t1\.[\w-]+$/)
    expect(token).not.toContain('abc')
    expect(tokens.decode(token)).toEqual({ after: cursor })
  })

  it('when the token is empty, then it is the first page: no cursor', () => {
    expect(tokens.decode('')).toEqual({ after: undefined })
  })

  it('when a token has another prefix or does not read as a cursor, then it is not ours', () => {
    for (const token of [
      'garbage',
      't1.',
      't2.YXxi',
      'T1.YXxi',
      `t1.${Buffer.from('a|b|c').toString('base64url')}`,
    ])
      expect(tokens.decode(token), token).toBeUndefined()
  })
})
