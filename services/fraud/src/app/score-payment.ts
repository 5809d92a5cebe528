import type { Db, Logger } from '@microshop/chassis'
import { FraudErrors } from '../domain/errors.js'
import { type Assessment, assessRisk, type RiskThresholds } from '../domain/rules.js'
import { type PaymentToScore, scoreRequestProblems } from '../domain/score-request.js'
import type { ScoreStore } from '../store/score-store.js'
import type { AccountLookup } from './accounts.js'

const HOUR_MS = 3_600_000

export type ScorePayment = ReturnType<typeof createScorePayment>

/**
 * Scores a payment once per order: asking again for the same order returns the first answer and
 * does not count the order twice towards its user's velocity.
 */
export function createScorePayment(deps: {
  db: Db
  store: ScoreStore
  accounts: AccountLookup
  thresholds: RiskThresholds
  log: Logger
}) {
  const { db, store, accounts, thresholds, log } = deps
  return async (payment: PaymentToScore): Promise<Assessment> => {
    const problems = scoreRequestProblems(payment)
    if (problems.length > 0) throw FraudErrors.invalidRequest(problems)
    const known = await store.find(db, payment.orderId)
    if (known) return known
    const account = await accounts(payment.userId)
    return db.tx(async (tx) => {
      await store.lockUser(tx, payment.userId)
      const first = await store.find(tx, payment.orderId)
      if (first) return first
      const ordersLastHour = (await store.ordersSince(tx, payment.userId, HOUR_MS)) + 1
      const assessment = assessRisk(
        {
          amount: payment.amount,
          ordersLastHour,
          accountAgeMs: account.ageMs,
          accountBlocked: account.blocked,
          cardCountry: payment.cardCountry,
          shippingCountry: payment.shippingCountry,
        },
        thresholds,
      )
      await store.insert(tx, { ...payment, ...assessment })
      log.info({ orderId: payment.orderId, ...assessment }, 'payment scored')
      return assessment
    })
  }
}
