import { describe, expect, it } from 'vitest'
import { assessRisk, decide, type RiskFacts, type RiskThresholds } from './rules.js'

const DAY = 86_400_000
const thresholds: RiskThresholds = {
  largeAmount: 50_000,
  veryLargeAmount: 100_000,
  velocityMaxPerHour: 5,
  newAccountMs: DAY,
  reviewAt: 50,
  rejectAt: 80,
}
const calm: RiskFacts = {
  amount: 2_500,
  ordersLastHour: 1,
  accountAgeMs: 30 * DAY,
  accountBlocked: false,
  cardCountry: 'US',
  shippingCountry: 'US',
}
const assess = (facts: Partial<RiskFacts>) => assessRisk({ ...calm, ...facts }, thresholds)

describe('fraud rules', () => {
  it('when nothing is unusual, then the payment is approved with score 0 and no reasons', () => {
    expect(assess({})).toEqual({ score: 0, decision: 'approve', reasons: [] })
  })

  it('when the account is blocked, then the payment is rejected with score 100', () => {
    expect(assess({ accountBlocked: true })).toEqual({
      score: 100,
      decision: 'reject',
      reasons: ['account_blocked'],
    })
  })

  it('when the amount grows, then the score grows with it', () => {
    expect(assess({ amount: 49_999 }).score).toBe(0)
    expect(assess({ amount: 50_000 })).toMatchObject({ score: 20, reasons: ['amount_large'] })
    expect(assess({ amount: 100_000 })).toMatchObject({ score: 40, reasons: ['amount_very_large'] })
  })

  it('when the user ordered more than the hourly limit, then velocity raises the score', () => {
    expect(assess({ ordersLastHour: 5 }).reasons).toEqual([])
    expect(assess({ ordersLastHour: 6 })).toMatchObject({ score: 30, reasons: ['velocity_high'] })
    expect(assess({ ordersLastHour: 11 })).toMatchObject({ score: 50, reasons: ['velocity_very_high'] })
  })

  it('when the card country differs from the shipping country, then it is a reason', () => {
    expect(assess({ cardCountry: 'GB' })).toMatchObject({ score: 25, reasons: ['country_mismatch'] })
  })

  it('when a country is unknown, then there is no mismatch', () => {
    expect(assess({ cardCountry: '' }).reasons).toEqual([])
    expect(assess({ shippingCountry: '' }).reasons).toEqual([])
  })

  it('when the account is new or its age unknown, then the score rises a little', () => {
    expect(assess({ accountAgeMs: DAY - 1 })).toMatchObject({ score: 15, reasons: ['account_new'] })
    expect(assess({ accountAgeMs: undefined })).toMatchObject({ score: 10, reasons: ['account_unknown'] })
  })

  it('when several rules fire, then their points add up to a review, then to a rejection, capped at 100', () => {
    expect(assess({ amount: 100_000, accountAgeMs: 0 })).toMatchObject({
      score: 55,
      decision: 'review',
      reasons: ['amount_very_large', 'account_new'],
    })
    expect(assess({ amount: 100_000, cardCountry: 'GB', accountAgeMs: 0 })).toMatchObject({
      score: 80,
      decision: 'reject',
    })
    expect(assess({ accountBlocked: true, amount: 100_000 }).score).toBe(100)
  })

  it('when the thresholds are set, then the decision follows them', () => {
    expect(decide(49, thresholds)).toBe('approve')
    expect(decide(50, thresholds)).toBe('review')
    expect(decide(80, thresholds)).toBe('reject')
    expect(assessRisk({ ...calm, accountAgeMs: 0 }, { ...thresholds, reviewAt: 10 }).decision).toBe('review')
  })
})
