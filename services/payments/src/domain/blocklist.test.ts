import { describe, expect, it } from 'vitest'
import { blocklistVerdict, isBlocked, parseBlocklist } from './blocklist.js'

describe('card blocklist', () => {
  it('when entries are bin:last4 separated by commas, then each is read', () => {
    expect(parseBlocklist(' 410000:0019, 424242:4242 ,')).toEqual([
      { bin: '410000', last4: '0019' },
      { bin: '424242', last4: '4242' },
    ])
    expect(parseBlocklist('')).toEqual([])
  })

  it('when an entry is malformed, then the list is refused', () => {
    expect(parseBlocklist('4100000000000019')).toBeUndefined()
    expect(parseBlocklist('41000:0019')).toBeUndefined()
  })

  it('when a card matches both BIN and last 4, then it is blocked, and only then', () => {
    const list = parseBlocklist('410000:0019')!
    expect(isBlocked(list, { bin: '410000', last4: '0019' })).toBe(true)
    expect(isBlocked(list, { bin: '410000', last4: '0020' })).toBe(false)
    expect(isBlocked(list, { bin: '424242', last4: '0019' })).toBe(false)
  })

  it('when a card is on the blocklist, then payments refuses it as fraud_blocked, whatever fraud would say', () => {
    const list = parseBlocklist('410000:0019')!
    expect(blocklistVerdict(list, { bin: '410000', last4: '0019' })).toEqual({
      approved: false,
      code: 'fraud_blocked',
      reason: 'the card is on the blocklist',
    })
    expect(blocklistVerdict(list, { bin: '424242', last4: '4242' })).toBeUndefined()
  })
})
