import { ConfigError } from '@microshop/chassis'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const DATABASE_URL = 'postgres://fraud@localhost/fraud'

describe('fraud config', () => {
  it('when nothing is set, then the defaults hold, and neither a bus nor a card blocklist is read', () => {
    const config = loadConfig({ DATABASE_URL, BUS_URL: 'postgres://bus@localhost/bus' })
    expect(config).toMatchObject({
      reviewScore: 50,
      rejectScore: 80,
      largeAmount: 50_000,
      velocityMaxPerHour: 5,
    })
    expect(config).not.toHaveProperty('busUrl')
    expect(config).not.toHaveProperty('cardBlocklist')
  })

  it('when review is not below reject, then start-up stops naming the variable', () => {
    expect(() => loadConfig({ DATABASE_URL, FRAUD_REVIEW_SCORE: '80' })).toThrow(ConfigError)
    expect(() => loadConfig({ DATABASE_URL, FRAUD_REVIEW_SCORE: '80' })).toThrow(/FRAUD_REVIEW_SCORE/)
  })
})
