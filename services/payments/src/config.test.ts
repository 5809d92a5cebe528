import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const DATABASE_URL = 'postgres://payments@localhost/payments'
const BUS_URL = 'postgres://bus@localhost/bus'

describe('payments config', () => {
  it('when nothing is set, then the documented defaults hold', () => {
    expect(loadConfig({ DATABASE_URL, BUS_URL })).toMatchObject({
      slowCardDelayMs: 2_000,
      fraudDeadlineMs: 1_000,
      fraudBreakerFailures: 5,
      fraudBreakerHalfOpenMs: 10_000,
      fraudFallbackMaxAmount: 20_000,
      fraudReviewMaxAmount: 20_000,
      cardBlocklist: [{ bin: '410000', last4: '0019' }],
    })
  })

  it('when BUS_URL is missing, then start-up stops naming it: payments hears of orders only through the bus', () => {
    expect(() => loadConfig({ DATABASE_URL })).toThrow(/BUS_URL/)
  })

  it('when a setting is malformed, then start-up stops naming the variable', () => {
    expect(() => loadConfig({ DATABASE_URL, BUS_URL, PAYMENTS_CARD_BLOCKLIST: 'x' })).toThrow(
      /PAYMENTS_CARD_BLOCKLIST/,
    )
    expect(() => loadConfig({ DATABASE_URL, BUS_URL, PAYMENTS_FRAUD_FALLBACK_MAX_AMOUNT: '-1' })).toThrow(
      /PAYMENTS_FRAUD_FALLBACK_MAX_AMOUNT/,
    )
  })
})
