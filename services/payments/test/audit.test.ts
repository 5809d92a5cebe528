import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Db } from '@microshop/chassis'
import { createDb, runMigrations } from '@microshop/chassis/internal'
import { silentLogger } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'

const statements = readFileSync(new URL('../src/store/audit.sql', import.meta.url), 'utf8')
  .split(/;\s*(?:\n|$)/)
  .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
  .filter(Boolean)

let database: TestDatabase
let db: Db

const violations = async () => {
  const found: Array<{ check: string; ids: string }> = []
  for (const sql of statements) found.push(...(await db.query<{ check: string; ids: string }>(sql)).rows)
  return found.map((v) => [v.check, v.ids])
}

const payment = async (status: string, opts: { createdAgo?: string } = {}) => {
  const id = randomUUID()
  const orderId = `order-${id.slice(0, 8)}`
  await db.query(
    `insert into payments (id, order_id, user_id, email, amount, currency, card_token, shipping_country, status, created_at)
     values ($1, $2, 'u', 'u@example.com', 500, 'USD', 'tok', 'US', $3, now() - $4::interval)`,
    [id, orderId, status, opts.createdAgo ?? '0 seconds'],
  )
  return { id, orderId }
}

const post = async (p: { id: string; orderId: string }, kind: string, debit: number, credit: number) => {
  const txId = randomUUID()
  await db.query('insert into ledger_transactions (id, payment_id, order_id, kind) values ($1, $2, $3, $4)', [
    txId,
    p.id,
    p.orderId,
    kind,
  ])
  await db.query(
    `insert into ledger_entries (transaction_id, account, direction, amount, currency)
     values ($1, 'customer_funds', 'debit', $2, 'USD'), ($1, 'merchant_revenue', 'credit', $3, 'USD')`,
    [txId, debit, credit],
  )
  return txId
}

beforeAll(async () => {
  database = await createTestDatabase('payments_audit')
  db = createDb(database.url)
  await runMigrations(db, fileURLToPath(new URL('../src/store/migrations', import.meta.url)), silentLogger)
})
afterAll(async () => {
  await db?.close()
  await database?.drop()
})

describe('the audit SQL', () => {
  it('when the database is empty, then nothing is reported', async () => {
    expect(await violations()).toEqual([])
  })

  it('when a broken history is written, then each broken invariant is reported with its ids', async () => {
    const unbalanced = await payment('CAPTURED')
    const unbalancedTx = await post(unbalanced, 'capture', 500, 499)
    const unrefunded = await payment('CAPTURED')
    await post(unrefunded, 'capture', 500, 500)
    await db.query(
      `insert into order_cancellations (order_id, reason, event_id) values ($1, 'customer_cancelled', 'e1')`,
      [unrefunded.orderId],
    )
    const refundedUncancelled = await payment('REFUNDED')
    await post(refundedUncancelled, 'capture', 500, 500)
    await post(refundedUncancelled, 'refund', 500, 500)
    const stuck = await payment('PENDING', { createdAgo: '1 hour' })
    const failedWithCapture = await payment('FAILED')
    await post(failedWithCapture, 'capture', 500, 500)

    expect(await violations()).toEqual(
      expect.arrayContaining([
        ['payments: ledger transaction unbalanced', unbalancedTx],
        ['payments: ledger unbalanced', 'USD'],
        ['payments: cancelled paid order not refunded exactly once', unrefunded.orderId],
        ['payments: refund without a cancelled order', refundedUncancelled.orderId],
        ['payments: payment still pending', stuck.orderId],
        ['payments: status disagrees with the ledger', failedWithCapture.orderId],
      ]),
    )
  })
})
