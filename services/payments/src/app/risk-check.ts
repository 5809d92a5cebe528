import type { Logger, ServiceClient } from '@microshop/chassis'
import { Decision, type FraudServiceService } from '@microshop/contracts/fraud/v1/fraud'
import { type BlockedCard, blocklistVerdict } from '../domain/blocklist.js'
import type { CardFacts } from '../domain/card.js'
import {
  type FraudDecision,
  type FraudPolicy,
  fallbackVerdict,
  type RiskVerdict,
  verdictFromScore,
} from '../domain/fraud-policy.js'
import type { FraudSource, Payment } from '../domain/payment.js'

export interface RiskResult {
  verdict: RiskVerdict
  source: FraudSource
  score: number | undefined
  decision: string
}

export type RiskCheck = (payment: Payment, card: CardFacts) => Promise<RiskResult>

const DECISIONS: Partial<Record<Decision, FraudDecision>> = {
  [Decision.DECISION_APPROVE]: 'approve',
  [Decision.DECISION_REVIEW]: 'review',
  [Decision.DECISION_REJECT]: 'reject',
}

/**
 * The risk of a charge: payments' own blocklist first (fraud is not asked about those cards), then fraud
 * through its circuit breaker; when fraud cannot answer, the fallback rule decides.
 */
export function createRiskCheck(deps: {
  fraud: ServiceClient<typeof FraudServiceService>
  policy: FraudPolicy
  blocklist: readonly BlockedCard[]
  log: Logger
  onFallback: (verdict: RiskVerdict) => void
}): RiskCheck {
  const { fraud, policy, blocklist, log, onFallback } = deps
  return async (payment, card) => {
    const blocked = blocklistVerdict(blocklist, card)
    if (blocked) return { verdict: blocked, source: 'blocklist', score: undefined, decision: 'reject' }
    try {
      const answer = await fraud.call('score', {
        orderId: payment.orderId,
        userId: payment.userId,
        amount: { amount: payment.amount, currency: payment.currency },
        cardBin: card.bin,
        cardLast4: card.last4,
        cardCountry: card.country,
        shippingCountry: payment.shippingCountry,
        email: payment.email,
      })
      const decision = DECISIONS[answer.decision]
      if (!decision) throw new Error(`fraud answered an unknown decision ${answer.decision}`)
      return {
        verdict: verdictFromScore({ ...answer, decision }, payment.amount, policy),
        source: 'fraud',
        score: answer.score,
        decision,
      }
    } catch (err) {
      const verdict = fallbackVerdict({ amount: payment.amount }, policy)
      log.warn(
        { err, orderId: payment.orderId, approved: verdict.approved, breaker: fraud.breakerState() },
        'fraud unavailable: fallback rule applied',
      )
      onFallback(verdict)
      return {
        verdict,
        source: 'fallback',
        score: undefined,
        decision: verdict.approved ? 'approve' : 'reject',
      }
    }
  }
}
