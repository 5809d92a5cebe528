import { describe, expect, it } from 'vitest'
import { fallbackVerdict, verdictFromScore } from './fraud-policy.js'

const policy = { reviewMaxAmount: 20_000, fallbackMaxAmount: 20_000 }

describe('fraud decision and fallback', () => {
  it('when fraud approves, then the charge goes ahead', () => {
    expect(
      verdictFromScore({ decision: 'approve', score: 15, reasons: ['account_new'] }, 1_000_000, policy),
    ).toEqual({
      approved: true,
    })
  })

  it('when fraud rejects, then the payment fails as fraud_blocked with the reasons', () => {
    expect(
      verdictFromScore({ decision: 'reject', score: 100, reasons: ['account_blocked'] }, 100, policy),
    ).toEqual({
      approved: false,
      code: 'fraud_blocked',
      reason: 'blocked by the fraud checks (account_blocked)',
    })
  })

  it('when fraud asks for a review, then up to the review limit it is approved and above it it fails', () => {
    const review = { decision: 'review' as const, score: 55, reasons: ['amount_very_large'] }
    expect(verdictFromScore(review, 20_000, policy).approved).toBe(true)
    expect(verdictFromScore(review, 20_001, policy)).toMatchObject({ approved: false, code: 'fraud_blocked' })
  })

  it('when fraud is unavailable, then up to the fallback limit it is approved, above it it fails safe', () => {
    expect(fallbackVerdict({ amount: 20_000 }, policy)).toEqual({ approved: true })
    expect(fallbackVerdict({ amount: 20_001 }, policy)).toMatchObject({
      approved: false,
      code: 'fraud_unavailable',
    })
  })
})
