import { describe, expect, it } from 'vitest'
import { clampPageSize, decodePageToken, encodePageToken } from './paging.js'

describe('clampPageSize', () => {
  it('when no size is asked (0), then the default applies', () => {
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

describe('page tokens', () => {
  it('when an offset is encoded, then decoding gives it back', () => {
    for (const offset of [0, 1, 20, 12_345, 999_999_999])
      expect(decodePageToken(encodePageToken(offset))).toBe(offset)
  })

  it('when a token is encoded, then it does not show the offset in clear', () => {
    const token = encodePageToken(40)
    expect(token).not.toContain('40')
    expect(token).toMatch(/^[\w.-]+$/)
  })

  it('when the token is empty, then it means the first page', () => {
    expect(decodePageToken('')).toBe(0)
  })

  it('when a token was not issued by us, then it is rejected', () => {
    const foreign = [
      'garbage',
      '40',
      'o1.',
      'o1.!!!!',
      'o2.NDA',
      'O1.NDA',
      ` ${encodePageToken(40)}`,
      `o1.${Buffer.from('-5').toString('base64url')}`,
      `o1.${Buffer.from('4.5').toString('base64url')}`,
      `o1.${Buffer.from('1e3').toString('base64url')}`,
      `o1.${Buffer.from('12345678901').toString('base64url')}`,
      `o1.${Buffer.from('40; drop table products').toString('base64url')}`,
    ]
    for (const token of foreign) expect(decodePageToken(token), token).toBeUndefined()
  })
})
