import type { FailureCode } from './payment.js'

export type FraudDecision = 'approve' | 'review' | 'reject'

export type RiskVerdict = { approved: true } | { approved: false; code: FailureCode; reason: string }

export interface FraudPolicy {
  /** A REVIEW answer is approved up to this amount (minor units) and failed above it: there is no reviewer yet. */
  reviewMaxAmount: number
  /** When fraud cannot answer, payments approves up to this amount on its own and fails safe above it. */
  fallbackMaxAmount: number
}

const APPROVED: RiskVerdict = { approved: true }

/** What fraud's answer means for the charge. */
export function verdictFromScore(
  answer: { decision: FraudDecision; score: number; reasons: readonly string[] },
  amount: number,
  policy: FraudPolicy,
): RiskVerdict {
  const why = answer.reasons.length > 0 ? ` (${answer.reasons.join(', ')})` : ''
  if (answer.decision === 'reject')
    return { approved: false, code: 'fraud_blocked', reason: `blocked by the fraud checks${why}` }
  if (answer.decision === 'review' && amount > policy.reviewMaxAmount)
    return {
      approved: false,
      code: 'fraud_blocked',
      reason: `the fraud checks asked for a review, which an amount this large cannot skip${why}`,
    }
  return APPROVED
}

/**
 * The rule when fraud is unavailable (circuit open, timeout, error): a small amount is approved, a larger
 * one fails safe. (A blocklisted card never gets this far: see blocklist.ts.)
 */
export function fallbackVerdict(payment: { amount: number }, policy: FraudPolicy): RiskVerdict {
  if (payment.amount <= policy.fallbackMaxAmount) return APPROVED
  return {
    approved: false,
    code: 'fraud_unavailable',
    reason: 'the fraud checks are unavailable and the amount is too large to approve without them',
  }
}
