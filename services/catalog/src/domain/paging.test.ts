import { describe, expect, it } from 'vitest'
import { offsetTokens } from './paging.js'

describe('page tokens', () => {
  it('when an offset is encoded, then decoding gives it back', () => {
    for (const offset of [0, 1, 20, 12_345, 999_999_999])
      expect(offsetTokens.decode(offsetTokens.encode(offset))).toEqual({ after: offset })
  })

  it('when a token is encoded, then it does not show the offset in clear', () => {
    const token = offsetTokens.encode(40)
    expect(token).not.toContain('40')
    expect(token).toMatch(/^[\w.-]+$/)
  })

  it('when the token is empty, then it means the first page', () => {
    expect(offsetTokens.decode('')).toEqual({ after: undefined })
  })

  it('when a token was not issued by us, then it is rejected', () => {
    const foreign = [
      'garbage',
      '40',
      'o1.',
      'o1.!!!!',
      'o2.NDA',
      'O1.NDA',
      ` ${offsetTokens.encode(40)}`,
      `o1.${Buffer.from('-5').toString('base64url')}`,
      `o1.${Buffer.from('4.5').toString('base64url')}`,
      `o1.${Buffer.from('1e3').toString('base64url')}`,
      `o1.${Buffer.from('12345678901').toString('base64url')}`,
      `o1.${Buffer.from('40; drop table products').toString('base64url')}`,
    ]
    for (const token of foreign) expect(offsetTokens.decode(token), token).toBeUndefined()
  })
})
