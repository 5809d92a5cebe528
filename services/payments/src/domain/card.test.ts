import { describe, expect, it } from 'vitest'
import { brandOf, checkCard, countryOf, describeCard, luhnValid, TEST_CARDS } from './card.js'

const NOW = new Date('2026-11-21T12:00:00Z')
const valid = { number: TEST_CARDS.succeeds, expMonth: 12, expYear: 2030, cvc: '123' }
const fieldsOf = (result: ReturnType<typeof checkCard>) =>
  'problems' in result ? result.problems.map((p) => p.field) : []

describe('card checks', () => {
  it('when the digits pass Luhn, then the number is valid, and one changed digit breaks it', () => {
    for (const number of Object.values(TEST_CARDS)) expect(luhnValid(number)).toBe(true)
    expect(luhnValid('378282246310005')).toBe(true)
    expect(luhnValid('4242424242424241')).toBe(false)
    expect(luhnValid('42424242x4242424')).toBe(false)
  })

  it('when the number starts with a network prefix, then the brand is that network', () => {
    expect(brandOf('4242424242424242')).toBe('visa')
    expect(brandOf('5555555555554444')).toBe('mastercard')
    expect(brandOf('2223003122003222')).toBe('mastercard')
    expect(brandOf('378282246310005')).toBe('amex')
    expect(brandOf('6011111111111117')).toBe('discover')
    expect(brandOf('3056930009020004')).toBe('diners')
    expect(brandOf('3566002020360505')).toBe('jcb')
    expect(brandOf('9999999999999995')).toBe('unknown')
  })

  it('when a test card is checked, then its provider behaviour, BIN, last 4 and country are kept', () => {
    const behaviour = (number: string) => {
      const result = checkCard({ ...valid, number }, NOW)
      return 'card' in result ? result.card.behaviour : 'invalid'
    }
    expect(behaviour(TEST_CARDS.succeeds)).toBe('approve')
    expect(behaviour(TEST_CARDS.declined)).toBe('decline')
    expect(behaviour(TEST_CARDS.slow)).toBe('slow')
    // the blocklist, not the provider, stops this one
    expect(behaviour(TEST_CARDS.fraud)).toBe('approve')
    expect(behaviour('5555555555554444')).toBe('approve')
    expect(checkCard({ ...valid, number: '4242 4242-4242 4242' }, NOW)).toEqual({
      card: {
        brand: 'visa',
        bin: '424242',
        last4: '4242',
        expMonth: 12,
        expYear: 2030,
        country: 'US',
        behaviour: 'approve',
      },
    })
  })

  it('when the BIN table knows the issuer, then the country comes from the longest prefix', () => {
    expect(countryOf('4000008260000000')).toBe('GB')
    expect(countryOf('4000000000000002')).toBe('US')
    expect(countryOf('3566002020360505')).toBe('')
  })

  it('when the number is malformed, unknown or fails Luhn, then the number is named', () => {
    for (const number of ['', '4242', '4242424242424241', '9999999999999995', '42424242424242424242'])
      expect(fieldsOf(checkCard({ ...valid, number }, NOW))).toEqual(['number'])
  })

  it('when the card expired, then the expiry year is named; this month is still good', () => {
    expect(fieldsOf(checkCard({ ...valid, expMonth: 10, expYear: 2026 }, NOW))).toEqual(['expYear'])
    expect(fieldsOf(checkCard({ ...valid, expMonth: 12, expYear: 2025 }, NOW))).toEqual(['expYear'])
    expect(fieldsOf(checkCard({ ...valid, expMonth: 11, expYear: 2026 }, NOW))).toEqual([])
    expect(fieldsOf(checkCard({ ...valid, expMonth: 11, expYear: 26 }, NOW))).toEqual([])
  })

  it('when the month or the CVC is malformed, then each is named, all at once', () => {
    expect(fieldsOf(checkCard({ number: '1', expMonth: 13, expYear: 2030, cvc: '12' }, NOW))).toEqual([
      'number',
      'expMonth',
      'cvc',
    ])
    expect(fieldsOf(checkCard({ ...valid, cvc: '12345' }, NOW))).toEqual(['cvc'])
    expect(fieldsOf(checkCard({ ...valid, cvc: '1234' }, NOW))).toEqual([])
  })

  it('when a card is described, then only the brand and last 4 show', () => {
    expect(describeCard({ brand: 'visa', last4: '4242' })).toBe('visa •••• 4242')
  })
})
