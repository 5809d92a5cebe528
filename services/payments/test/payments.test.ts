import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { AppError, Db } from '@microshop/chassis'
import { PaymentStatus } from '@microshop/contracts/payments/v1/payments'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { metricValue, rejectionOf } from '../../../test-support/grpc.js'
import { TEST_CARDS } from '../src/domain/card.js'
import { PaymentFailedEvent, RefundIssuedEvent } from '../src/events/payment-events.js'
import { type Buyer, type PaymentsStack, pause, startPaymentsStack, until } from './fixtures.js'

const SUCCEEDED = 'payments.PaymentSucceeded.v1'
const FAILED = 'payments.PaymentFailed.v1'
const REFUNDED = 'payments.RefundIssued.v1'
const SLOW_MS = 1_500
// longer than the discovery cache (1 s): the probe must look the restarted fraud up afresh
const HALF_OPEN_MS = 1_200

let t: PaymentsStack
let buyer: Buyer
const db = (): Db => t.stack.services.payments!.db!

const paymentRow = async (orderId: string) =>
  (
    await db().query<{ status: string; failure_code: string; fraud_source: string | null; attempts: number }>(
      'select status, failure_code, fraud_source, attempts from payments where order_id = $1',
      [orderId],
    )
  ).rows[0]

const ledgerKinds = async (orderId: string) =>
  (
    await db().query<{ kind: string }>(
      'select kind from ledger_transactions where order_id = $1 order by created_at',
      [orderId],
    )
  ).rows.map((r) => r.kind)

/** Places an order as orders would announce it, paid with `card`. */
const place = async (card: string, over: { amount?: number; by?: Buyer } = {}) => {
  const orderId = randomUUID()
  const by = over.by ?? buyer
  await t.orderCreated({
    orderId,
    userId: by.userId,
    email: by.email,
    paymentToken: await t.token(card),
    total: { amount: over.amount ?? 2_500, currency: 'USD' },
  })
  return orderId
}

const metrics = async () =>
  (await fetch(`http://127.0.0.1:${t.stack.services.payments!.httpPort}/metrics`)).text()

beforeAll(async () => {
  t = await startPaymentsStack({
    PAYMENTS_SLOW_CARD_DELAY_MS: String(SLOW_MS),
    PAYMENTS_FRAUD_BREAKER_FAILURES: '2',
    PAYMENTS_FRAUD_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
    PAYMENTS_SWEEP_INTERVAL_MS: '300',
    PAYMENTS_SWEEP_GRACE_MS: '5000',
  })
  buyer = await t.buyer()
})
afterAll(async () => {
  await t?.close()
})

describe('TokenizeCard', () => {
  it('when a valid card is tokenized, then a token, the brand and the last 4 come back, and the number is kept nowhere', async () => {
    const res = await t.payments.call('tokenizeCard', {
      number: '4242 4242 4242 4242',
      expMonth: 12,
      expYear: 2034,
      cvc: '123',
    })
    expect(res.token).toMatch(/^tok_[\w-]{20,}$/)
    expect(res).toMatchObject({ brand: 'visa', last4: '4242' })
    const { rows } = await db().query<{ row: string }>('select card_tokens::text as row from card_tokens')
    expect(rows.length).toBeGreaterThan(0)
    for (const { row } of rows) {
      expect(row).not.toContain('4242424242424242')
      expect(row).not.toContain('123,')
    }
  })

  it('when the card is invalid, then INVALID_ARGUMENT names each bad field', async () => {
    const err = await rejectionOf<AppError>(
      t.payments.call('tokenizeCard', { number: '4242424242424241', expMonth: 1, expYear: 2020, cvc: '1' }),
    )
    expect(err.kind).toBe('invalid_argument')
    expect(err.code).toBe('PAYMENTS_INVALID_CARD')
    expect(err.fields.map((f) => f.field)).toEqual([
      'payment.card.number',
      'payment.card.expYear',
      'payment.card.cvc',
    ])
    expect(err.message).not.toContain('4242424242424241')
  })
})

describe('charging on OrderCreated', () => {
  it('when OrderCreated is delivered twice, then the order is captured once and PaymentSucceeded sent once', async () => {
    const orderId = randomUUID()
    const event = {
      orderId,
      userId: buyer.userId,
      email: buyer.email,
      paymentToken: await t.token(TEST_CARDS.succeeds),
      total: { amount: 4_999, currency: 'USD' },
    }
    const eventId = randomUUID()
    // the same event twice (the log keeps one) and a redelivery under another id, racing each other
    await Promise.all([t.orderCreated(event, eventId), t.orderCreated(event, eventId), t.orderCreated(event)])
    await until('PaymentSucceeded', () => t.typesOf(orderId).includes(SUCCEEDED))
    await t.orderCreated(event)
    await pause(700)
    expect(t.typesOf(orderId)).toEqual([SUCCEEDED])
    expect(await paymentRow(orderId)).toMatchObject({ status: 'CAPTURED', fraud_source: 'fraud' })
    expect(await ledgerKinds(orderId)).toEqual(['capture'])
    const charges = await db().query(
      `select 1 from provider_charges c join payments p on p.id::text = c.idempotency_key where p.order_id = $1`,
      [orderId],
    )
    expect(charges.rowCount).toBe(1)
  })

  it('when the owner asks for the payment, then it shows captured with the card and fraud score; a stranger gets NOT_FOUND', async () => {
    const orderId = await place(TEST_CARDS.succeeds, { amount: 1_234 })
    await until('PaymentSucceeded', () => t.typesOf(orderId).includes(SUCCEEDED))
    const { payment } = await t.asCaller(buyer, () => t.payments.call('getPayment', { orderId }))
    expect(payment).toMatchObject({
      orderId,
      status: PaymentStatus.PAYMENT_STATUS_CAPTURED,
      amount: { amount: 1_234, currency: 'USD' },
      refunded: { amount: 0, currency: 'USD' },
      method: 'visa •••• 4242',
      failureCode: '',
      fraudScore: 15,
    })
    const stranger = await t.buyer()
    const err = await rejectionOf<AppError>(
      t.asCaller(stranger, () => t.payments.call('getPayment', { orderId })),
    )
    expect(err.code).toBe('PAYMENTS_PAYMENT_NOT_FOUND')
    const admin = await t.admin()
    expect((await t.asCaller(admin, () => t.payments.call('getPayment', { orderId }))).payment?.orderId).toBe(
      orderId,
    )
    expect((await rejectionOf<AppError>(t.payments.call('getPayment', { orderId }))).kind).toBe(
      'unauthenticated',
    )
  })

  it('when the card is declined, then PaymentFailed card_declined goes out with the user and email, and nothing is captured', async () => {
    const orderId = await place(TEST_CARDS.declined)
    await until('PaymentFailed', () => t.typesOf(orderId).includes(FAILED))
    expect(PaymentFailedEvent.decode(t.eventsOf(orderId)[0]!)).toMatchObject({
      orderId,
      code: 'card_declined',
      userId: buyer.userId,
      email: buyer.email,
    })
    expect(await paymentRow(orderId)).toMatchObject({ status: 'FAILED', failure_code: 'card_declined' })
    expect(await ledgerKinds(orderId)).toEqual([])
  })

  it('when the card is the fraud test card, then fraud rejects it and PaymentFailed fraud_blocked goes out', async () => {
    const orderId = await place(TEST_CARDS.fraud)
    await until('PaymentFailed', () => t.typesOf(orderId).includes(FAILED))
    expect(PaymentFailedEvent.decode(t.eventsOf(orderId)[0]!).code).toBe('fraud_blocked')
    expect(await paymentRow(orderId)).toMatchObject({ status: 'FAILED', fraud_source: 'fraud' })
    const charges = await db().query(
      `select 1 from provider_charges c join payments p on p.id::text = c.idempotency_key where p.order_id = $1`,
      [orderId],
    )
    expect(charges.rowCount).toBe(0)
  })

  it('when fraud asks for a review of a large amount, then the payment fails as fraud_blocked; a lower score passes', async () => {
    const newcomer = await t.buyer()
    // a new account (15) with a very large amount (40) scores 55: a review
    const large = await place(TEST_CARDS.succeeds, { amount: 100_000, by: newcomer })
    await until('PaymentFailed', () => t.typesOf(large).includes(FAILED))
    expect(PaymentFailedEvent.decode(t.eventsOf(large)[0]!).reason).toMatch(/review/)
    expect(PaymentFailedEvent.decode(t.eventsOf(large)[0]!).code).toBe('fraud_blocked')
    // a card from GB (25) shipped to the US by a new account (15) scores 40: approved
    const abroad = await place('4000008260000000', { amount: 2_000, by: newcomer })
    await until('PaymentSucceeded', () => t.typesOf(abroad).includes(SUCCEEDED))
    const { rows } = await db().query(
      'select fraud_score, fraud_decision from payments where order_id = $1',
      [abroad],
    )
    expect(rows[0]).toEqual({ fraud_score: 40, fraud_decision: 'approve' })
  })

  it('when the payment token is unknown, then PaymentFailed invalid_payment_method goes out', async () => {
    const orderId = randomUUID()
    await t.orderCreated({ orderId, userId: buyer.userId, email: buyer.email, paymentToken: 'tok_nope' })
    await until('PaymentFailed', () => t.typesOf(orderId).includes(FAILED))
    expect(PaymentFailedEvent.decode(t.eventsOf(orderId)[0]!).code).toBe('invalid_payment_method')
  })
})

describe('refunds on OrderCancelled', () => {
  it('when a captured order is cancelled, even twice, then exactly one RefundIssued goes out', async () => {
    const orderId = await place(TEST_CARDS.succeeds, { amount: 3_000 })
    await until('PaymentSucceeded', () => t.typesOf(orderId).includes(SUCCEEDED))
    await Promise.all([t.orderCancelled({ orderId }), t.orderCancelled({ orderId })])
    await until('RefundIssued', () => t.typesOf(orderId).includes(REFUNDED))
    await t.orderCancelled({ orderId })
    await pause(500)
    expect(t.typesOf(orderId)).toEqual([SUCCEEDED, REFUNDED])
    expect(RefundIssuedEvent.decode(t.eventsOf(orderId)[1]!).amount).toEqual({
      amount: 3_000,
      currency: 'USD',
    })
    expect(await paymentRow(orderId)).toMatchObject({ status: 'REFUNDED' })
    expect(await ledgerKinds(orderId)).toEqual(['capture', 'refund'])
  })

  it('when the cancel comes while the slow provider is charging, then the capture is refunded right after it', async () => {
    const orderId = await place(TEST_CARDS.slow)
    // fraud has approved and the provider is on it
    await until('the charge in flight', async () => (await paymentRow(orderId))?.fraud_source === 'fraud')
    expect((await paymentRow(orderId))?.status).toBe('PENDING')
    await t.orderCancelled({ orderId })
    await until('RefundIssued', () => t.typesOf(orderId).includes(REFUNDED))
    expect(t.typesOf(orderId)).toEqual([SUCCEEDED, REFUNDED])
    expect(await paymentRow(orderId)).toMatchObject({ status: 'REFUNDED' })
    expect(await ledgerKinds(orderId)).toEqual(['capture', 'refund'])
  })

  it('when the order was cancelled before payments saw it, then nothing is charged and no event goes out', async () => {
    const orderId = randomUUID()
    await t.orderCancelled({ orderId, reason: 'reservation_expired' })
    await until('the cancellation recorded', async () =>
      (await db().query('select 1 from order_cancellations where order_id = $1', [orderId])).rowCount === 1
        ? true
        : undefined,
    )
    await t.orderCreated({
      orderId,
      userId: buyer.userId,
      email: buyer.email,
      paymentToken: await t.token(TEST_CARDS.succeeds),
    })
    await until('the payment settled', async () =>
      (await paymentRow(orderId))?.status === 'FAILED' ? true : undefined,
    )
    expect(await paymentRow(orderId)).toMatchObject({ failure_code: 'order_cancelled' })
    expect(await ledgerKinds(orderId)).toEqual([])
    await pause(300)
    expect(t.typesOf(orderId)).toEqual([])
  })

  it('when an order that never was captured is cancelled, then nothing is refunded', async () => {
    const orderId = await place(TEST_CARDS.declined)
    await until('PaymentFailed', () => t.typesOf(orderId).includes(FAILED))
    await t.orderCancelled({ orderId, reason: 'payment_failed' })
    await until('the cancellation recorded', async () =>
      (await db().query('select 1 from order_cancellations where order_id = $1', [orderId])).rowCount === 1
        ? true
        : undefined,
    )
    await pause(300)
    expect(t.typesOf(orderId)).toEqual([FAILED])
  })
})

describe('recovery', () => {
  it('when a payment was left pending after the provider answered, then the sweeper settles it without charging again', async () => {
    const orderId = randomUUID()
    const paymentId = randomUUID()
    const token = await t.token(TEST_CARDS.succeeds)
    await db().query(
      `insert into payments (id, order_id, user_id, email, amount, currency, card_token, shipping_country, status,
                             fraud_decision, fraud_source, provider_outcome, provider_reference, created_at)
       values ($1, $2, $3, $4, 700, 'USD', $5, 'US', 'PENDING', 'approve', 'fraud', 'captured', 'ch_before_crash',
               now() - interval '1 minute')`,
      [paymentId, orderId, buyer.userId, buyer.email, token],
    )
    await db().query(
      `insert into provider_charges (idempotency_key, reference, outcome, amount, currency)
       values ($1, 'ch_before_crash', 'captured', 700, 'USD')`,
      [paymentId],
    )
    await until('PaymentSucceeded', () => t.typesOf(orderId).includes(SUCCEEDED))
    expect(await paymentRow(orderId)).toMatchObject({ status: 'CAPTURED' })
    const charges = await db().query('select 1 from provider_charges where idempotency_key = $1', [paymentId])
    expect(charges.rowCount).toBe(1)
  })
})

describe('when fraud is unavailable', () => {
  it('then the breaker opens, the fallback rule decides, and once fraud is back a probe closes the breaker', async () => {
    const breaker = async () => metricValue(await metrics(), 'rpc_client_breaker_state', { peer: 'fraud' })
    const fallbacks = async (outcome: string) =>
      metricValue(await metrics(), 'payments_fraud_fallback_total', { outcome })
    expect(await breaker()).toBe(0)
    await t.stack.stop('fraud')

    const small = [
      await place(TEST_CARDS.succeeds, { amount: 1_000 }),
      await place(TEST_CARDS.succeeds, { amount: 2_000 }),
    ]
    for (const orderId of small) await until('PaymentSucceeded', () => t.typesOf(orderId).includes(SUCCEEDED))
    expect(await breaker()).toBe(1)
    const large = await place(TEST_CARDS.succeeds, { amount: 20_001 })
    const blocked = await place(TEST_CARDS.fraud, { amount: 100 })
    for (const orderId of [large, blocked])
      await until('PaymentFailed', () => t.typesOf(orderId).includes(FAILED))
    expect(PaymentFailedEvent.decode(t.eventsOf(large)[0]!).code).toBe('fraud_unavailable')
    expect(PaymentFailedEvent.decode(t.eventsOf(blocked)[0]!).code).toBe('fraud_blocked')
    for (const orderId of [...small, large, blocked])
      expect((await paymentRow(orderId))?.fraud_source).toBe('fallback')
    expect(await fallbacks('approved')).toBe(2)
    expect(await fallbacks('failed')).toBe(2)

    await t.stack.start('fraud')
    await pause(HALF_OPEN_MS + 100)
    const after = await place(TEST_CARDS.succeeds, { amount: 1_500 })
    await until('PaymentSucceeded', () => t.typesOf(after).includes(SUCCEEDED))
    expect(await paymentRow(after)).toMatchObject({ fraud_source: 'fraud' })
    expect(await breaker()).toBe(0)
    const scored = await t.stack.services.fraud!.db!.query('select 1 from scores where order_id = $1', [
      after,
    ])
    expect(scored.rowCount).toBe(1)
  })
})

describe('audit', () => {
  const statements = readFileSync(new URL('../src/store/audit.sql', import.meta.url), 'utf8')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean)

  it('when all of the above has run, then every audit check passes: ledger balanced, one capture per order, cancelled paid orders refunded once', async () => {
    expect(statements.length).toBeGreaterThanOrEqual(8)
    await db().query(`select set_config('microshop.saga_limit_seconds', '960', false)`)
    for (const sql of statements) expect((await db().query(sql)).rows).toEqual([])
    const { rows } = await db().query<{ debits: number; credits: number; captures: number; refunds: number }>(
      `select (select sum(amount) from ledger_entries where direction = 'debit')::bigint as debits,
              (select sum(amount) from ledger_entries where direction = 'credit')::bigint as credits,
              (select count(*) from ledger_transactions where kind = 'capture') as captures,
              (select count(*) from ledger_transactions where kind = 'refund') as refunds`,
    )
    expect(rows[0]!.debits).toBe(rows[0]!.credits)
    expect(rows[0]!.captures).toBeGreaterThanOrEqual(8)
    expect(rows[0]!.refunds).toBe(2)
  })
})
