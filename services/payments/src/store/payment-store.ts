import type { Queryable, Tx } from '@microshop/chassis'
import type { LedgerEntry, LedgerKind } from '../domain/ledger.js'
import type { FailureCode, FraudSource, Payment, PaymentStatus, ProviderOutcome } from '../domain/payment.js'

interface PaymentRow {
  id: string
  order_id: string
  user_id: string
  email: string
  amount: number
  currency: string
  card_token: string
  shipping_country: string
  method: string
  status: PaymentStatus
  fraud_score: number | null
  fraud_decision: string | null
  fraud_source: FraudSource | null
  provider_outcome: ProviderOutcome | null
  provider_reference: string | null
  failure_code: string
  failure_reason: string
  refunded_amount: number
  created_at: Date
  updated_at: Date
}

const toPayment = (r: PaymentRow): Payment => ({
  id: r.id,
  orderId: r.order_id,
  userId: r.user_id,
  email: r.email,
  amount: r.amount,
  currency: r.currency,
  cardToken: r.card_token,
  shippingCountry: r.shipping_country,
  method: r.method,
  status: r.status,
  fraudScore: r.fraud_score ?? undefined,
  fraudDecision: r.fraud_decision ?? undefined,
  fraudSource: r.fraud_source ?? undefined,
  providerOutcome: r.provider_outcome ?? undefined,
  providerReference: r.provider_reference ?? undefined,
  failureCode: r.failure_code,
  failureReason: r.failure_reason,
  refundedAmount: r.refunded_amount,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
})

export interface NewPayment {
  id: string
  orderId: string
  userId: string
  email: string
  amount: number
  currency: string
  cardToken: string
  shippingCountry: string
}

export type PaymentStore = typeof paymentStore

const one = async (q: Queryable, sql: string, params: unknown[]) =>
  (await q.query<PaymentRow>(sql, params)).rows.map(toPayment)[0]

/**
 * SQL for payments, the cancellations payments heard of, and the ledger. Each method runs where it is told,
 * first argument: a read on the pool or a transaction, a write in a transaction.
 */
export const paymentStore = {
  /** Serialises everything done to one order's payment (creation, settling, cancellation) until tx ends. */
  async lockOrder(tx: Tx, orderId: string) {
    await tx.query(`select pg_advisory_xact_lock(hashtextextended('payments-order:' || $1, 0))`, [orderId])
  },

  /** The order's payment, created PENDING unless it exists. */
  async ensure(tx: Tx, p: NewPayment): Promise<Payment> {
    const created = await one(
      tx,
      `insert into payments (id, order_id, user_id, email, amount, currency, card_token, shipping_country, status)
       values ($1, $2, $3, $4, $5, $6, $7, $8, 'PENDING') on conflict (order_id) do nothing returning *`,
      [p.id, p.orderId, p.userId, p.email, p.amount, p.currency, p.cardToken, p.shippingCountry],
    )
    const payment = created ?? (await paymentStore.byOrder(tx, p.orderId))
    if (!payment) throw new Error(`the payment of order ${p.orderId} is neither new nor there`)
    return payment
  },

  byOrder: (q: Queryable, orderId: string) => one(q, 'select * from payments where order_id = $1', [orderId]),

  lockById: (tx: Tx, id: string) => one(tx, 'select * from payments where id = $1 for update', [id]),

  lockByOrder: (tx: Tx, orderId: string) =>
    one(tx, 'select * from payments where order_id = $1 for update', [orderId]),

  /** Takes a pending payment to settle for `leaseMs`; undefined when it is settled or another worker holds it. */
  claim: (tx: Tx, id: string, leaseMs: number) =>
    one(
      tx,
      `update payments set claimed_until = now() + $2 * interval '1 millisecond', attempts = attempts + 1
        where id = $1 and status = 'PENDING' and (claimed_until is null or claimed_until < now())
        returning *`,
      [id, leaseMs],
    ),

  async release(tx: Tx, id: string) {
    await tx.query('update payments set claimed_until = null where id = $1', [id])
  },

  /** Pending payments nobody holds, created more than `olderThanMs` ago: work a crash or a give-up left. */
  async unsettled(q: Queryable, olderThanMs: number, limit: number): Promise<string[]> {
    const { rows } = await q.query<{ id: string }>(
      `select id from payments
        where status = 'PENDING' and (claimed_until is null or claimed_until < now())
          and created_at < now() - $1 * interval '1 millisecond'
        order by created_at limit $2`,
      [olderThanMs, limit],
    )
    return rows.map((r) => r.id)
  },

  async recordMethod(tx: Tx, id: string, method: string) {
    await tx.query('update payments set method = $2, updated_at = now() where id = $1', [id, method])
  },

  async recordRisk(
    tx: Tx,
    id: string,
    risk: { score: number | undefined; decision: string; source: FraudSource },
  ) {
    await tx.query(
      `update payments set fraud_score = $2, fraud_decision = $3, fraud_source = $4, updated_at = now()
        where id = $1`,
      [id, risk.score ?? null, risk.decision, risk.source],
    )
  },

  async recordProviderOutcome(tx: Tx, id: string, outcome: ProviderOutcome, reference: string) {
    await tx.query(
      `update payments set provider_outcome = $2, provider_reference = $3, updated_at = now() where id = $1`,
      [id, outcome, reference],
    )
  },

  async setCaptured(tx: Tx, id: string) {
    await tx.query(
      `update payments set status = 'CAPTURED', claimed_until = null, updated_at = now() where id = $1`,
      [id],
    )
  },

  async setFailed(tx: Tx, id: string, code: FailureCode, reason: string) {
    await tx.query(
      `update payments set status = 'FAILED', failure_code = $2, failure_reason = $3, claimed_until = null,
              updated_at = now()
        where id = $1`,
      [id, code, reason],
    )
  },

  async setRefunded(tx: Tx, id: string, amount: number) {
    await tx.query(
      `update payments set status = 'REFUNDED', refunded_amount = $2, updated_at = now() where id = $1`,
      [id, amount],
    )
  },

  /** Records that the order was cancelled; false when it already was. */
  async recordCancellation(tx: Tx, c: { orderId: string; reason: string; eventId: string }) {
    const { rowCount } = await tx.query(
      `insert into order_cancellations (order_id, reason, event_id) values ($1, $2, $3)
       on conflict (order_id) do nothing`,
      [c.orderId, c.reason, c.eventId],
    )
    return (rowCount ?? 0) > 0
  },

  async isCancelled(q: Queryable, orderId: string): Promise<boolean> {
    const { rowCount } = await q.query('select 1 from order_cancellations where order_id = $1', [orderId])
    return (rowCount ?? 0) > 0
  },

  /** A balanced ledger transaction; the unique (payment, kind) makes a second capture or refund fail. */
  async postLedger(
    tx: Tx,
    t: { id: string; paymentId: string; orderId: string; kind: LedgerKind; entries: LedgerEntry[] },
  ) {
    await tx.query(
      'insert into ledger_transactions (id, payment_id, order_id, kind) values ($1, $2, $3, $4)',
      [t.id, t.paymentId, t.orderId, t.kind],
    )
    await tx.query(
      `insert into ledger_entries (transaction_id, account, direction, amount, currency)
       select $1, * from unnest($2::text[], $3::text[], $4::bigint[], $5::text[])`,
      [
        t.id,
        t.entries.map((e) => e.account),
        t.entries.map((e) => e.direction),
        t.entries.map((e) => e.amount),
        t.entries.map((e) => e.currency),
      ],
    )
  },
}
