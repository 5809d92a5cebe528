import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Db } from '@microshop/chassis'
import { expectFailure, expectNoSecondEffect, inboxRecorded, waitFor } from '@microshop/chassis/testing'
import { events } from '@microshop/contracts/events'
import { PaymentStatus } from '@microshop/contracts/payments/v1/payments'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { metricValue } from '../../../test-support/grpc.js'
import { TEST_CARDS } from '../src/domain/card.js'
import { type Buyer, dbOf, type PaymentsStack, startPaymentsStack } from './fixtures.js'

const SUCCEEDED = events.PaymentSucceeded.type
const FAILED = events.PaymentFailed.type
const REFUNDED = events.RefundIssued.type
const SLOW_MS = 1_500
// longer than the discovery cache (1 s): the probe must look the restarted fraud up afresh
const HALF_OPEN_MS = 1_200

let t: PaymentsStack
let buyer: Buyer
const db = (): Db => dbOf(t.stack, 'payments')

/** Waits until the observer has received an event of this type about the order. */
const observed = (orderId: string, type: string) =>
  waitFor(() => t.typesOf(orderId).includes(type), { what: `${type} about ${orderId}` })

/** Places an order as orders would announce it, paid with `card` (or with a token made beforehand). */
const place = async (card: string, over: { amount?: number; by?: Buyer; token?: string } = {}) => {
  const orderId = randomUUID()
  const by = over.by ?? buyer
  await t.orderCreated({
    orderId,
    userId: by.userId,
    email: by.email,
    paymentToken: over.token ?? (await t.token(card)),
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
    // made without a user's access token, the token is nobody's: any order may be charged with it, as before
    const owner = await db().query('select user_id from card_tokens where token = $1', [res.token])
    expect(owner.rows).toEqual([{ user_id: null }])
  })

  it('when the card is invalid, then INVALID_ARGUMENT names each bad field', async () => {
    const err = await expectFailure(
      t.payments.call('tokenizeCard', { number: '4242424242424241', expMonth: 1, expYear: 2020, cvc: '1' }),
      { code: 'PAYMENTS_INVALID_CARD', kind: 'invalid_argument' },
    )
    expect(err.fields.map((f) => f.field)).toEqual(['number', 'expYear', 'cvc'])
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
    const ids = await Promise.all([
      t.orderCreated(event, eventId),
      t.orderCreated(event, eventId),
      t.orderCreated(event),
    ])
    await observed(orderId, SUCCEEDED)
    await waitFor(async () =>
      (await Promise.all(ids.map((id) => t.handledBy('payments-charges', id)))).every(Boolean),
    )
    // a late redelivery, once the payment is captured: the charges group has passed it, and nothing more happened
    let late = ''
    await expectNoSecondEffect({
      what: 'a late OrderCreated',
      count: async () => (await t.emitted(orderId)).length,
      duplicate: async () => {
        late = await t.orderCreated(event)
      },
      witness: async () => undefined,
      witnessed: () => t.handledBy('payments-charges', late),
    })
    expect(await t.emitted(orderId)).toEqual([SUCCEEDED])
    expect(t.typesOf(orderId)).toEqual([SUCCEEDED])
    // the settlement ended the claim, and the card's description was recorded with the fraud decision
    expect(await t.paymentRow(orderId)).toMatchObject({
      status: 'CAPTURED',
      fraud_source: 'fraud',
      method: expect.stringMatching(/4242/),
      claimed_until: null,
    })
    expect(await t.ledgerKinds(orderId)).toEqual(['capture'])
    expect(await t.providerCharges(orderId)).toBe(1)
  })

  it('when the owner asks for the payment, then it shows captured with the card, the fraud score only to an admin; a stranger gets NOT_FOUND', async () => {
    const orderId = await place(TEST_CARDS.succeeds, { amount: 1_234 })
    await observed(orderId, SUCCEEDED)
    const { payment } = await t.payments.call('getPayment', { orderId }, t.as(buyer))
    expect(payment).toMatchObject({
      orderId,
      status: PaymentStatus.PAYMENT_STATUS_CAPTURED,
      amount: { amount: 1_234, currency: 'USD' },
      refunded: { amount: 0, currency: 'USD' },
      method: 'visa •••• 4242',
      failureCode: '',
      fraudScore: 0,
    })
    const stranger = await t.buyer()
    await expectFailure(
      t.payments.call('getPayment', { orderId }, t.as(stranger)),
      'PAYMENTS_PAYMENT_NOT_FOUND',
    )
    const admin = await t.admin()
    expect((await t.payments.call('getPayment', { orderId }, t.as(admin))).payment).toMatchObject({
      orderId,
      fraudScore: 15,
    })
    await expectFailure(t.payments.call('getPayment', { orderId }), {
      code: 'AUTH_REQUIRED',
      kind: 'unauthenticated',
    })
  })

  it('when the card is declined, then PaymentFailed card_declined goes out with the user and email, and nothing is captured', async () => {
    const orderId = await place(TEST_CARDS.declined)
    await observed(orderId, FAILED)
    expect(t.payloadOf(events.PaymentFailed, orderId)).toMatchObject({
      orderId,
      code: 'card_declined',
      userId: buyer.userId,
      email: buyer.email,
    })
    expect(await t.paymentRow(orderId)).toMatchObject({ status: 'FAILED', failure_code: 'card_declined' })
    expect(await t.ledgerKinds(orderId)).toEqual([])
  })

  it('when the card is the blocklisted test card, then payments refuses it without asking fraud: PaymentFailed fraud_blocked', async () => {
    const orderId = await place(TEST_CARDS.fraud)
    await observed(orderId, FAILED)
    expect(t.payloadOf(events.PaymentFailed, orderId)).toMatchObject({
      code: 'fraud_blocked',
      reason: 'the card is on the blocklist',
    })
    // a refusal settles at once, with the card's description and the decision in the settlement
    expect(await t.paymentRow(orderId)).toMatchObject({
      status: 'FAILED',
      fraud_source: 'blocklist',
      method: expect.stringMatching(/••••/),
      claimed_until: null,
    })
    expect(await t.providerCharges(orderId)).toBe(0)
    // the customer reads a decline, not which check refused; the admin reads what happened
    const { payment: told } = await t.payments.call('getPayment', { orderId }, t.as(buyer))
    expect(told).toMatchObject({
      failureCode: 'card_declined',
      failureReason: 'the card was declined: pay with another card',
    })
    expect(`${told?.failureCode} ${told?.failureReason}`).not.toMatch(/fraud|blocklist|review/i)
    const { payment: seen } = await t.payments.call('getPayment', { orderId }, t.as(await t.admin()))
    expect(seen).toMatchObject({
      failureCode: 'fraud_blocked',
      failureReason: 'the card is on the blocklist',
    })
    // fraud never heard of it: the blocklist is payments' alone
    const scored = await dbOf(t.stack, 'fraud').query('select 1 from scores where order_id = $1', [orderId])
    expect(scored.rowCount).toBe(0)
  })

  it('when fraud asks for a review of a large amount, then the payment fails as fraud_blocked; a lower score passes', async () => {
    const newcomer = await t.buyer()
    // a new account (15) with a very large amount (40) scores 55: a review
    const large = await place(TEST_CARDS.succeeds, { amount: 100_000, by: newcomer })
    await observed(large, FAILED)
    expect(t.payloadOf(events.PaymentFailed, large).reason).toMatch(/review/)
    expect(t.payloadOf(events.PaymentFailed, large).code).toBe('fraud_blocked')
    // a card from GB (25) shipped to the US by a new account (15) scores 40: approved
    const abroad = await place('4000008260000000', { amount: 2_000, by: newcomer })
    await observed(abroad, SUCCEEDED)
    const { rows } = await db().query(
      'select fraud_score, fraud_decision from payments where order_id = $1',
      [abroad],
    )
    expect(rows[0]).toEqual({ fraud_score: 40, fraud_decision: 'approve' })
  })

  it('when the payment token is unknown, then PaymentFailed invalid_payment_method goes out', async () => {
    const orderId = randomUUID()
    await t.orderCreated({ orderId, userId: buyer.userId, email: buyer.email, paymentToken: 'tok_nope' })
    await observed(orderId, FAILED)
    expect(t.payloadOf(events.PaymentFailed, orderId).code).toBe('invalid_payment_method')
  })

  it('when a user tokenised the card, then the token pays their orders only: another user’s order fails invalid_payment_method', async () => {
    const owner = await t.buyer()
    const token = await t.token(TEST_CARDS.succeeds, owner)
    const { rows } = await db().query('select user_id from card_tokens where token = $1', [token])
    expect(rows).toEqual([{ user_id: owner.userId }])
    const own = await place(TEST_CARDS.succeeds, { by: owner, token })
    const stolen = await place(TEST_CARDS.succeeds, { by: await t.buyer(), token })
    await observed(own, SUCCEEDED)
    await observed(stolen, FAILED)
    expect(t.payloadOf(events.PaymentFailed, stolen)).toMatchObject({
      code: 'invalid_payment_method',
      reason: 'the payment token belongs to another user',
    })
    expect(await t.providerCharges(stolen)).toBe(0)
  })
})

describe('refunds on OrderCancelled', () => {
  it('when a captured order is cancelled, even twice, then exactly one RefundIssued goes out', async () => {
    const orderId = await place(TEST_CARDS.succeeds, { amount: 3_000 })
    await observed(orderId, SUCCEEDED)
    const twice = await Promise.all([t.orderCancelled({ orderId }), t.orderCancelled({ orderId })])
    await observed(orderId, REFUNDED)
    await waitFor(async () =>
      (await Promise.all(twice.map((id) => inboxRecorded(db(), 'payments-refunds', id)))).every(Boolean),
    )
    // a third cancellation, once refunded: its inbox record commits with whatever it did, and it did nothing
    let again = ''
    await expectNoSecondEffect({
      what: 'a third OrderCancelled',
      count: async () => (await t.emitted(orderId)).length,
      duplicate: async () => {
        again = await t.orderCancelled({ orderId })
      },
      witness: async () => undefined,
      witnessed: () => inboxRecorded(db(), 'payments-refunds', again),
    })
    expect(await t.emitted(orderId)).toEqual([SUCCEEDED, REFUNDED])
    expect(t.typesOf(orderId)).toEqual([SUCCEEDED, REFUNDED])
    expect(t.payloadOf(events.RefundIssued, orderId).amount).toEqual({
      amount: 3_000,
      currency: 'USD',
    })
    expect(await t.paymentRow(orderId)).toMatchObject({ status: 'REFUNDED' })
    expect(await t.ledgerKinds(orderId)).toEqual(['capture', 'refund'])
  })

  it('when the cancel comes while the slow provider is charging, then the capture is refunded right after it', async () => {
    const orderId = await place(TEST_CARDS.slow)
    // fraud has approved and the provider is on it
    await waitFor(async () => (await t.paymentRow(orderId))?.fraud_source === 'fraud', {
      what: 'the charge in flight',
    })
    expect((await t.paymentRow(orderId))?.status).toBe('PENDING')
    await t.orderCancelled({ orderId })
    await observed(orderId, REFUNDED)
    expect(t.typesOf(orderId)).toEqual([SUCCEEDED, REFUNDED])
    expect(await t.paymentRow(orderId)).toMatchObject({ status: 'REFUNDED' })
    expect(await t.ledgerKinds(orderId)).toEqual(['capture', 'refund'])
  })

  it('when the order was cancelled before payments saw it, then nothing is charged and no event goes out', async () => {
    const orderId = randomUUID()
    const cancelled = await t.orderCancelled({ orderId, reason: 'reservation_expired' })
    await waitFor(() => inboxRecorded(db(), 'payments-refunds', cancelled), { what: 'the cancellation' })
    await t.orderCreated({
      orderId,
      userId: buyer.userId,
      email: buyer.email,
      paymentToken: await t.token(TEST_CARDS.succeeds),
    })
    // settled FAILED: the settlement's events, if any, committed with it
    await waitFor(async () => (await t.paymentRow(orderId))?.status === 'FAILED', { what: 'the settlement' })
    expect(await t.paymentRow(orderId)).toMatchObject({ failure_code: 'order_cancelled' })
    expect(await t.ledgerKinds(orderId)).toEqual([])
    expect(await t.emitted(orderId)).toEqual([])
    expect(t.typesOf(orderId)).toEqual([])
  })

  it('when an order that never was captured is cancelled, then nothing is refunded', async () => {
    const orderId = await place(TEST_CARDS.declined)
    await observed(orderId, FAILED)
    const cancelled = await t.orderCancelled({ orderId, reason: 'payment_failed' })
    // the inbox record commits with the cancellation's effect: once it is there, no refund came of it
    await waitFor(() => inboxRecorded(db(), 'payments-refunds', cancelled), { what: 'the cancellation' })
    expect(await t.emitted(orderId)).toEqual([FAILED])
    expect(await t.ledgerKinds(orderId)).toEqual([])
    expect(t.typesOf(orderId)).toEqual([FAILED])
  })
})

describe('recovery', () => {
  /** A payment left PENDING by a crash after fraud approved it and the provider charged it; the recorded outcome, if any. */
  const leftPending = async (reference: string, recorded: boolean) => {
    const orderId = randomUUID()
    const paymentId = randomUUID()
    const token = await t.token(TEST_CARDS.succeeds)
    await db().query(
      `insert into payments (id, order_id, user_id, email, amount, currency, card_token, shipping_country, status,
                             fraud_decision, fraud_source, provider_outcome, provider_reference, created_at)
       values ($1, $2, $3, $4, 700, 'USD', $5, 'US', 'PENDING', 'approve', 'fraud', $6, $7,
               now() - interval '1 minute')`,
      [
        paymentId,
        orderId,
        buyer.userId,
        buyer.email,
        token,
        recorded ? 'captured' : null,
        recorded ? reference : null,
      ],
    )
    await db().query(
      `insert into provider_charges (idempotency_key, reference, outcome, amount, currency)
       values ($1, $2, 'captured', 700, 'USD')`,
      [paymentId, reference],
    )
    return { orderId, paymentId }
  }
  const providerCharges = async (paymentId: string) =>
    (await db().query('select 1 from provider_charges where idempotency_key = $1', [paymentId])).rowCount

  it('when a payment was left pending after the provider answered, then the sweeper settles it without charging again', async () => {
    const { orderId, paymentId } = await leftPending('ch_before_crash', true)
    await observed(orderId, SUCCEEDED)
    expect(await t.paymentRow(orderId)).toMatchObject({ status: 'CAPTURED' })
    expect(await providerCharges(paymentId)).toBe(1)
  })

  it('when the provider charged but the settlement never committed, then the sweeper settles it from the provider’s answer, charging once', async () => {
    // the provider's answer is recorded with the settlement: a crash before its commit leaves only the provider's book
    const { orderId, paymentId } = await leftPending('ch_charged_before_crash', false)
    await observed(orderId, SUCCEEDED)
    expect(await t.paymentRow(orderId)).toMatchObject({
      status: 'CAPTURED',
      provider_reference: 'ch_charged_before_crash',
      claimed_until: null,
    })
    expect(await providerCharges(paymentId)).toBe(1)
  })
})

describe('when fraud is unavailable', () => {
  it('then the breaker opens, the fallback rule decides, and once fraud is back a probe closes the breaker', async () => {
    const breaker = async () =>
      metricValue(await metrics(), 'rpc_client_breaker_state', { peer_service: 'fraud' })
    const fallbacks = async (outcome: string) =>
      metricValue(await metrics(), 'payments_fraud_fallback_total', { outcome })
    expect(await breaker()).toBe(0)
    await t.stack.stop('fraud')

    const small = [
      await place(TEST_CARDS.succeeds, { amount: 1_000 }),
      await place(TEST_CARDS.succeeds, { amount: 2_000 }),
    ]
    for (const orderId of small) await observed(orderId, SUCCEEDED)
    expect(await breaker()).toBe(1)
    const large = await place(TEST_CARDS.succeeds, { amount: 20_001 })
    const blocked = await place(TEST_CARDS.fraud, { amount: 100 })
    for (const orderId of [large, blocked]) await observed(orderId, FAILED)
    expect(t.payloadOf(events.PaymentFailed, large).code).toBe('fraud_unavailable')
    // the blocklist is payments' own: it refuses the card the same way whether fraud is up or down
    expect(t.payloadOf(events.PaymentFailed, blocked)).toMatchObject({
      code: 'fraud_blocked',
      reason: 'the card is on the blocklist',
    })
    for (const orderId of [...small, large])
      expect((await t.paymentRow(orderId))?.fraud_source).toBe('fallback')
    expect((await t.paymentRow(blocked))?.fraud_source).toBe('blocklist')
    expect(await fallbacks('approved')).toBe(2)
    expect(await fallbacks('failed')).toBe(1)

    await t.stack.start('fraud')
    // no witness for this one: the breaker turns half-open only when a call comes after HALF_OPEN_MS
    await sleep(HALF_OPEN_MS + 100)
    const after = await place(TEST_CARDS.succeeds, { amount: 1_500 })
    await observed(after, SUCCEEDED)
    expect(await t.paymentRow(after)).toMatchObject({ fraud_source: 'fraud' })
    expect(await breaker()).toBe(0)
    const scored = await dbOf(t.stack, 'fraud').query('select 1 from scores where order_id = $1', [after])
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
