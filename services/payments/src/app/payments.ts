import { randomUUID } from 'node:crypto'
import type { Logger, NewEvent, Queryable } from '@microshop/chassis'
import { describeCard } from '../domain/card.js'
import { captureEntries, refundEntries } from '../domain/ledger.js'
import type { FailureCode, Payment } from '../domain/payment.js'
import type { PaymentStore } from '../store/payment-store.js'
import type { TokenStore } from '../store/token-store.js'
import type { RiskCheck, RiskResult } from './risk-check.js'
import type { PaymentProvider } from './simulated-provider.js'

/** What the outside world hears of payments: contract events, appended with the change that raised them. */
export interface PaymentEvents {
  succeeded(payment: Payment): NewEvent
  failed(payment: Payment, code: FailureCode, reason: string): NewEvent
  refunded(payment: Payment): NewEvent
}

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
 * The payment of each order: created PENDING (committed) first, then fraud, then the provider (idempotent by
 * payment id, its answer recorded before anything else), then settled in one transaction with its ledger
 * entries and event. Every step of one order runs under the order's lock, so a cancellation either comes
 * before the settlement (which then refunds) or after it (and refunds itself).
 */
export function createPayments(deps: {
  store: PaymentStore
  tokens: TokenStore
  provider: PaymentProvider
  risk: RiskCheck
  events: PaymentEvents
  append: (tx: Queryable, events: NewEvent[]) => Promise<void>
  claimLeaseMs: number
  log: Logger
}) {
  const { store, tokens, provider, risk, events, append, claimLeaseMs, log } = deps

  const refund = async (tx: Queryable, payment: Payment): Promise<NewEvent[]> => {
    await store.postLedger(tx, {
      id: randomUUID(),
      paymentId: payment.id,
      orderId: payment.orderId,
      kind: 'refund',
      entries: refundEntries(payment.amount, payment.currency),
    })
    await store.setRefunded(tx, payment.id, payment.amount)
    log.info({ orderId: payment.orderId, paymentId: payment.id }, 'payment refunded')
    return [events.refunded({ ...payment, status: 'REFUNDED', refundedAmount: payment.amount })]
  }

  const settle = (paymentId: string, orderId: string, outcome: Settlement) =>
    store.tx(async (tx) => {
      await store.lockOrder(tx, orderId)
      const payment = await store.lockById(tx, paymentId)
      if (payment?.status !== 'PENDING') return
      const out: NewEvent[] = []
      if (outcome.kind === 'captured') {
        await store.postLedger(tx, {
          id: randomUUID(),
          paymentId,
          orderId,
          kind: 'capture',
          entries: captureEntries(payment.amount, payment.currency),
        })
        await store.setCaptured(tx, paymentId)
        out.push(events.succeeded({ ...payment, status: 'CAPTURED' }))
        // the order was cancelled while the provider was charging: the money goes straight back
        if (await store.isCancelled(orderId, tx)) out.push(...(await refund(tx, payment)))
      } else if (outcome.kind === 'failed') {
        if (outcome.risk) await store.recordRisk(paymentId, outcome.risk, tx)
        await store.setFailed(tx, paymentId, outcome.code, outcome.reason)
        out.push(events.failed(payment, outcome.code, outcome.reason))
      } else {
        // nothing was charged and the order is already over: no event is due
        await store.setFailed(tx, paymentId, 'order_cancelled', 'the order was cancelled before the charge')
      }
      await append(tx, out)
      log.info({ orderId, paymentId, outcome: outcome.kind }, 'payment settled')
    })

  const work = async (payment: Payment) => {
    const { id, orderId } = payment
    let providerOutcome = payment.providerOutcome
    if (!providerOutcome) {
      if (await store.isCancelled(orderId)) return settle(id, orderId, { kind: 'voided' })
      if (!Number.isSafeInteger(payment.amount) || payment.amount <= 0)
        return settle(id, orderId, {
          kind: 'failed',
          code: 'invalid_amount',
          reason: 'the order total is not positive',
        })
      const card = await tokens.find(payment.cardToken)
      if (!card)
        return settle(id, orderId, {
          kind: 'failed',
          code: 'invalid_payment_method',
          reason: 'the payment token is unknown',
        })
      if (!payment.method) await store.recordMethod(id, describeCard(card))
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
        await store.recordRisk(id, assessed)
      }
      const charge = await provider.charge({
        idempotencyKey: id,
        behaviour: card.behaviour,
        amount: payment.amount,
        currency: payment.currency,
      })
      await store.recordProviderOutcome(id, charge.outcome, charge.reference)
      providerOutcome = charge.outcome
    }
    return settle(
      id,
      orderId,
      providerOutcome === 'captured'
        ? { kind: 'captured' }
        : { kind: 'failed', code: 'card_declined', reason: 'the card was declined' },
    )
  }

  /** Takes a pending payment through to its end, unless it is settled or another worker holds it now. */
  const complete = async (paymentId: string) => {
    const claimed = await store.claim(paymentId, claimLeaseMs)
    if (!claimed) return
    try {
      await work(claimed)
    } finally {
      await store.release(paymentId).catch((err) => log.warn({ err, paymentId }, 'could not release a claim'))
    }
  }

  return {
    complete,

    /** OrderCreated: one payment per order, however often the event comes. */
    async charge(order: OrderToCharge) {
      const payment = await store.tx(async (tx) => {
        await store.lockOrder(tx, order.orderId)
        return store.ensure(tx, { id: randomUUID(), ...order, cardToken: order.paymentToken })
      })
      if (payment.status === 'PENDING') await complete(payment.id)
    },

    /** OrderCancelled, in the caller's transaction: a captured payment is refunded, a pending one will be. */
    async cancel(tx: Queryable, cancellation: OrderCancellation) {
      await store.lockOrder(tx, cancellation.orderId)
      await store.recordCancellation(tx, cancellation)
      const payment = await store.lockByOrder(tx, cancellation.orderId)
      if (payment?.status === 'CAPTURED') await append(tx, await refund(tx, payment))
    },
  }
}
