import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const DATABASE_URL = 'postgres://payments@localhost/payments'

describe('payments config', () => {
  it('when nothing is set, then the documented defaults hold', () => {
    expect(loadConfig({ DATABASE_URL })).toMatchObject({
      slowCardDelayMs: 2_000,
      fraudDeadlineMs: 1_000,
      fraudBreakerFailures: 5,
      fraudBreakerHalfOpenMs: 10_000,
      fraudFallbackMaxAmount: 20_000,
      fraudReviewMaxAmount: 20_000,
      cardBlocklist: [{ bin: '410000', last4: '0019' }],
    })
  })

  it('when a setting is malformed, then start-up stops naming the variable', () => {
    expect(() => loadConfig({ DATABASE_URL, PAYMENTS_CARD_BLOCKLIST: 'x' })).toThrow(
      /PAYMENTS_CARD_BLOCKLIST/,
    )
    expect(() => loadConfig({ DATABASE_URL, PAYMENTS_FRAUD_FALLBACK_MAX_AMOUNT: '-1' })).toThrow(
      /PAYMENTS_FRAUD_FALLBACK_MAX_AMOUNT/,
    )
  })
})
