/** What fraud decides about a payment. */
export type Decision = 'approve' | 'review' | 'reject'

/** Everything the rules look at, gathered before they run. */
export interface RiskFacts {
  /** In minor units. */
  amount: number
  /** The user's orders scored in the last hour, this one included. */
  ordersLastHour: number
  /** Undefined when identity could not tell. */
  accountAgeMs: number | undefined
  accountBlocked: boolean
  /** ISO 3166-1 alpha-2; empty when unknown. */
  cardCountry: string
  shippingCountry: string
}

export interface RiskThresholds {
  largeAmount: number
  veryLargeAmount: number
  velocityMaxPerHour: number
  newAccountMs: number
  reviewAt: number
  rejectAt: number
}

export interface Assessment {
  score: number
  decision: Decision
  reasons: string[]
}

/** Points each rule adds; a score is their sum, capped at 100. */
export const RULE_POINTS = {
  account_blocked: 100,
  amount_very_large: 40,
  amount_large: 20,
  velocity_very_high: 50,
  velocity_high: 30,
  country_mismatch: 25,
  account_new: 15,
  account_unknown: 10,
} as const

export type Reason = keyof typeof RULE_POINTS

/** The rules in one place: each that fires adds its points and names itself as a reason. */
export function assessRisk(facts: RiskFacts, t: RiskThresholds): Assessment {
  const reasons: Reason[] = []
  if (facts.accountBlocked) reasons.push('account_blocked')
  if (facts.amount >= t.veryLargeAmount) reasons.push('amount_very_large')
  else if (facts.amount >= t.largeAmount) reasons.push('amount_large')
  if (facts.ordersLastHour > 2 * t.velocityMaxPerHour) reasons.push('velocity_very_high')
  else if (facts.ordersLastHour > t.velocityMaxPerHour) reasons.push('velocity_high')
  if (facts.cardCountry && facts.shippingCountry && facts.cardCountry !== facts.shippingCountry)
    reasons.push('country_mismatch')
  if (facts.accountAgeMs === undefined) reasons.push('account_unknown')
  else if (facts.accountAgeMs < t.newAccountMs) reasons.push('account_new')
  const score = Math.min(
    100,
    reasons.reduce((sum, r) => sum + RULE_POINTS[r], 0),
  )
  return { score, decision: decide(score, t), reasons }
}

export function decide(score: number, t: Pick<RiskThresholds, 'reviewAt' | 'rejectAt'>): Decision {
  if (score >= t.rejectAt) return 'reject'
  if (score >= t.reviewAt) return 'review'
  return 'approve'
}
