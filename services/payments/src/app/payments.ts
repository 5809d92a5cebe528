import { randomUUID } from 'node:crypto'
import type { Db, Emit, Logger, Tx } from '@microshop/chassis'
import { describeCard } from '../domain/card.js'
import { captureEntries, refundEntries } from '../domain/ledger.js'
import type { FailureCode, Payment, PaymentEvent } from '../domain/payment.js'
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
  | { kind: 'failed'; code: FailureCode; reason: string; risk?: RiskResult }
  | { kind: 'voided' }

export type Payments = ReturnType<typeof createPayments>

/**
 * The payment of each order: created PENDING (committed) first, then the risk check, then the provider
 * (idempotent by payment id, its answer recorded before anything else), then settled in one transaction with
 * its ledger entries and event. Every step of one order runs under the order's lock, so a cancellation either
 * comes before the settlement (which then refunds) or after it (and refunds itself).
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

  const settle = (paymentId: string, orderId: string, outcome: Settlement) =>
    db.tx(async (tx) => {
      await store.lockOrder(tx, orderId)
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
    let providerOutcome = payment.providerOutcome
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
      if (!payment.method) await db.tx((tx) => store.recordMethod(tx, id, describeCard(card)))
      // an approval is recorded before the charge; a refusal settles at once, so a recorded decision means go
      if (!payment.fraudDecision) {
        const assessed = await risk(payment, card)
        if (!assessed.verdict.approved)
          return settle(id, orderId, {
            kind: 'failed',
            code: assessed.verdict.code,
            reason: assessed.verdict.reason,
            risk: assessed,
          })
        await db.tx((tx) => store.recordRisk(tx, id, assessed))
      }
      const charge = await provider.charge({
        idempotencyKey: id,
        behaviour: card.behaviour,
        amount: payment.amount,
        currency: payment.currency,
      })
      await db.tx((tx) => store.recordProviderOutcome(tx, id, charge.outcome, charge.reference))
      providerOutcome = charge.outcome
    }
    return settle(
      id,
      orderId,
      providerOutcome === 'captured'
        ? { kind: 'captured' }
        : failed('card_declined', 'the card was declined'),
    )
  }

  /** Takes a pending payment through to its end, unless it is settled or another worker holds it now. */
  const complete = async (paymentId: string) => {
    const claimed = await db.tx((tx) => store.claim(tx, paymentId, claimLeaseMs))
    if (!claimed) return
    try {
      await work(claimed)
    } finally {
      await db
        .tx((tx) => store.release(tx, paymentId))
        .catch((err) => log.warn({ err, paymentId }, 'could not release a claim'))
    }
  }

  return {
    complete,

    /** OrderCreated: one payment per order, however often the event comes. */
    async charge(order: OrderToCharge) {
      const payment = await db.tx(async (tx) => {
        await store.lockOrder(tx, order.orderId)
        return store.ensure(tx, { id: randomUUID(), ...order, cardToken: order.paymentToken })
      })
      if (payment.status === 'PENDING') await complete(payment.id)
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
