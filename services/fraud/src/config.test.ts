import { ConfigError } from '@microshop/chassis'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const DATABASE_URL = 'postgres://fraud@localhost/fraud'

describe('fraud config', () => {
  it('when nothing is set, then the defaults hold and the test fraud card is blocklisted', () => {
    const config = loadConfig({ DATABASE_URL })
    expect(config).toMatchObject({
      reviewScore: 50,
      rejectScore: 80,
      largeAmount: 50_000,
      velocityMaxPerHour: 5,
    })
    expect(config.cardBlocklist).toEqual([{ bin: '410000', last4: '0019' }])
  })

  it('when the blocklist is malformed or review is not below reject, then start-up stops naming the variable', () => {
    expect(() => loadConfig({ DATABASE_URL, FRAUD_CARD_BLOCKLIST: '4100000000000019' })).toThrow(
      /FRAUD_CARD_BLOCKLIST: expected bin:last4/,
    )
    expect(() => loadConfig({ DATABASE_URL, FRAUD_REVIEW_SCORE: '80' })).toThrow(ConfigError)
    expect(() => loadConfig({ DATABASE_URL, FRAUD_REVIEW_SCORE: '80' })).toThrow(/FRAUD_REVIEW_SCORE/)
  })
})
