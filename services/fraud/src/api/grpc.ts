import type { Handlers } from '@microshop/chassis'
import { Decision, type FraudServiceService } from '@microshop/contracts/fraud/v1/fraud'
import type { ScorePayment } from '../app/score-payment.js'
import type { Decision as DomainDecision } from '../domain/rules.js'

const DECISIONS: Record<DomainDecision, Decision> = {
  approve: Decision.DECISION_APPROVE,
  review: Decision.DECISION_REVIEW,
  reject: Decision.DECISION_REJECT,
}

/** gRPC handlers: read the request, call the use case, shape the response. */
export function createFraudHandlers(score: ScorePayment): Handlers<typeof FraudServiceService> {
  return {
    async score(req) {
      const assessment = await score({
        orderId: req.orderId,
        userId: req.userId,
        amount: Number(req.amount?.amount ?? 0),
        currency: req.amount?.currency ?? '',
        cardBin: req.cardBin,
        cardLast4: req.cardLast4,
        cardCountry: req.cardCountry.toUpperCase(),
        shippingCountry: req.shippingCountry.toUpperCase(),
      })
      return {
        score: assessment.score,
        decision: DECISIONS[assessment.decision],
        reasons: assessment.reasons,
      }
    },
  }
}
