import { randomUUID } from 'node:crypto'
import type { Db, Emit, Logger, Tx } from '@microshop/chassis'
import { describeCard } from '../domain/card.js'
import { captureEntries, refundEntries } from '../domain/ledger.js'
import type { FailureCode, Payment, PaymentEvent, ProviderOutcome } from '../domain/payment.js'
import type { PaymentStore } from '../store/payment-store.js'
import type { TokenStore } from '../store/token-store.js'
import type { RiskCheck, RiskResult } from './risk-check.js'
import type { PaymentProvider } from './simulated-provider.js'

/** The order to charge, as OrderCreated tells it. */
export interface OrderToCharge {
  orderId: string
  userId: string
  email: string
  amount: number
  currency: string
  paymentToken: string
  shippingCountry: string
}

export interface OrderCancellation {
  orderId: string
  reason: string
  eventId: string
}

type Settlement =
  | { kind: 'captured' }
  | { kind: 'failed'; code: FailureCode; reason: string; risk?: RiskResult; method?: string }
  | { kind: 'voided' }

/** The provider's answer to record with the settlement: the charge this attempt made. */
type Charged = { outcome: ProviderOutcome; reference: string }

export type Payments = ReturnType<typeof createPayments>

/**
 * The payment of each order: created PENDING and claimed (committed) first, then the risk check (its
 * approval committed), then the provider (idempotent by payment id), then settled in one transaction with the
 * provider's answer, its ledger entries and event, ending the claim: three transactions a charge (there were
 * seven), and a crash between any two leaves a step to redo, never a second charge. Every step of one order runs under the order's lock, so a cancellation either comes before
 * the settlement (which then refunds) or after it (and refunds itself).
 */
export function createPayments(deps: {
  db: Db
  store: PaymentStore
  tokens: TokenStore
  provider: PaymentProvider
  risk: RiskCheck
  emit: Emit<PaymentEvent>
  claimLeaseMs: number
  log: Logger
}) {
  const { db, store, tokens, provider, risk, emit, claimLeaseMs, log } = deps

  const refund = async (tx: Tx, payment: Payment): Promise<PaymentEvent> => {
    await store.postLedger(tx, {
      id: randomUUID(),
      paymentId: payment.id,
      orderId: payment.orderId,
      kind: 'refund',
      entries: refundEntries(payment.amount, payment.currency),
    })
    await store.setRefunded(tx, payment.id, payment.amount)
    log.info({ orderId: payment.orderId, paymentId: payment.id }, 'payment refunded')
    return {
      kind: 'RefundIssued',
      payment: { ...payment, status: 'REFUNDED', refundedAmount: payment.amount },
    }
  }

  // settling ends the claim too (the status and claimed_until change in one update), and records the
  // provider's answer first when this attempt charged: should the transaction not commit, the next attempt
  // asks the provider again, which answers the same for the same payment id
  const settle = (paymentId: string, orderId: string, outcome: Settlement, charged?: Charged) =>
    db.tx(async (tx) => {
      await store.lockOrder(tx, orderId)
      if (charged) await store.recordProviderOutcome(tx, paymentId, charged.outcome, charged.reference)
      const payment = await store.lockById(tx, paymentId)
      if (payment?.status !== 'PENDING') return
      const out: PaymentEvent[] = []
      if (outcome.kind === 'captured') {
        await store.postLedger(tx, {
          id: randomUUID(),
          paymentId,
          orderId,
          kind: 'capture',
          entries: captureEntries(payment.amount, payment.currency),
        })
        await store.setCaptured(tx, paymentId)
        out.push({ kind: 'PaymentSucceeded', payment: { ...payment, status: 'CAPTURED' } })
        // the order was cancelled while the provider was charging: the money goes straight back
        if (await store.isCancelled(tx, orderId)) out.push(await refund(tx, payment))
      } else if (outcome.kind === 'failed') {
        if (outcome.method) await store.recordMethod(tx, paymentId, outcome.method)
        if (outcome.risk) await store.recordRisk(tx, paymentId, outcome.risk)
        await store.setFailed(tx, paymentId, outcome.code, outcome.reason)
        out.push({ kind: 'PaymentFailed', payment, code: outcome.code, reason: outcome.reason })
      } else {
        // nothing was charged and the order is already over: no event is due
        await store.setFailed(tx, paymentId, 'order_cancelled', 'the order was cancelled before the charge')
      }
      await emit(tx, out)
      log.info({ orderId, paymentId, outcome: outcome.kind }, 'payment settled')
    })

  const failed = (code: FailureCode, reason: string): Settlement => ({ kind: 'failed', code, reason })

  const work = async (payment: Payment) => {
    const { id, orderId } = payment
    const providerOutcome = payment.providerOutcome
    if (!providerOutcome) {
      if (await store.isCancelled(db, orderId)) return settle(id, orderId, { kind: 'voided' })
      if (!Number.isSafeInteger(payment.amount) || payment.amount <= 0)
        return settle(id, orderId, failed('invalid_amount', 'the order total is not positive'))
      const token = await tokens.find(db, payment.cardToken)
      if (!token) return settle(id, orderId, failed('invalid_payment_method', 'the payment token is unknown'))
      // a token its user made pays only their orders; one orders made without a user pays any
      if (token.userId !== undefined && token.userId !== payment.userId)
        return settle(
          id,
          orderId,
          failed('invalid_payment_method', 'the payment token belongs to another user'),
        )
      const { card } = token
      const method = payment.method ? undefined : describeCard(card)
      // an approval is recorded (with the card's description) before the charge; a refusal settles at once,
      // so a recorded decision means go
      if (!payment.fraudDecision) {
        const assessed = await risk(payment, card)
        if (!assessed.verdict.approved)
          return settle(id, orderId, {
            kind: 'failed',
            code: assessed.verdict.code,
            reason: assessed.verdict.reason,
            risk: assessed,
            ...(method ? { method } : {}),
          })
        await db.tx(async (tx) => {
          if (method) await store.recordMethod(tx, id, method)
          await store.recordRisk(tx, id, assessed)
        })
      } else if (method) await db.tx((tx) => store.recordMethod(tx, id, method))
      const charge = await provider.charge({
        idempotencyKey: id,
        behaviour: card.behaviour,
        amount: payment.amount,
        currency: payment.currency,
      })
      return settle(id, orderId, settlementOf(charge.outcome), charge)
    }
    return settle(id, orderId, settlementOf(providerOutcome))
  }

  const settlementOf = (outcome: ProviderOutcome): Settlement =>
    outcome === 'captured' ? { kind: 'captured' } : failed('card_declined', 'the card was declined')

  /** Works a claimed payment to its end; the settlement ends the claim, a failure on the way gives it back. */
  const run = async (claimed: Payment) => {
    try {
      await work(claimed)
    } catch (err) {
      await db
        .tx((tx) => store.release(tx, claimed.id))
        .catch((releaseErr) =>
          log.warn({ err: releaseErr, paymentId: claimed.id }, 'could not release a claim'),
        )
      throw err
    }
  }

  /** Takes a pending payment through to its end, unless it is settled or another worker holds it now. */
  const complete = async (paymentId: string) => {
    const claimed = await db.tx((tx) => store.claim(tx, paymentId, claimLeaseMs))
    if (claimed) await run(claimed)
  }

  return {
    complete,

    /** OrderCreated: one payment per order, however often the event comes; a new one is claimed as it is made. */
    async charge(order: OrderToCharge) {
      const claimed = await db.tx(async (tx) => {
        await store.lockOrder(tx, order.orderId)
        const payment = await store.ensure(tx, { id: randomUUID(), ...order, cardToken: order.paymentToken })
        return payment.status === 'PENDING' ? store.claim(tx, payment.id, claimLeaseMs) : undefined
      })
      if (claimed) await run(claimed)
    },

    /** OrderCancelled, in the caller's transaction: a captured payment is refunded, a pending one will be. */
    async cancel(tx: Tx, cancellation: OrderCancellation) {
      await store.lockOrder(tx, cancellation.orderId)
      await store.recordCancellation(tx, cancellation)
      const payment = await store.lockByOrder(tx, cancellation.orderId)
      if (payment?.status === 'CAPTURED') await emit(tx, [await refund(tx, payment)])
    },
  }
}
