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

interface ParcelRow {
  number?: number
  count?: number
  status?: 'created' | 'dispatched' | 'delivered' | 'cancelled'
  dispatched?: string | null
  delivered?: string | null
  nextStep?: string | null
}

/** Writes an order's parcels straight into the table, delivered unless told otherwise; returns their ids. */
async function parcels(orderId: string, rows: ParcelRow[]) {
  const now = new Date().toISOString()
  const ids: string[] = []
  for (const [i, r] of rows.entries()) {
    const id = randomUUID()
    ids.push(id)
    await db.query(
      `insert into shipments (id, order_id, user_id, parcel_number, parcel_count, status, carrier, tracking_number,
           cost_amount, cost_currency, weight_grams, destination_country, estimated_days, created_at,
           dispatch_due_at, deliver_due_at, next_step_at, dispatched_at, delivered_at)
         values ($1, $2, 'u', $3, $4, $5, 'Microshop Ground', $6, 3499, 'USD', 24500, 'US', 4, now(),
           now(), now(), $7, $8, $9)`,
      [
        id,
        orderId,
        r.number ?? i + 1,
        r.count ?? rows.length,
        r.status ?? 'delivered',
        `MS${id.slice(0, 12)}`,
        r.nextStep ?? null,
        r.dispatched === undefined ? now : r.dispatched,
        r.delivered === undefined ? now : r.delivered,
      ],
    )
  }
  return ids
}

beforeAll(async () => {
  database = await createTestDatabase('shipping_audit')
  db = createDb(database.url)
  await runMigrations(db, fileURLToPath(new URL('../src/store/migrations', import.meta.url)), silentLogger)
})
afterAll(async () => {
  await db?.close()
  await database?.drop()
})

describe('the audit SQL', () => {
  it('when every order’s parcels are whole and each is where the carrier says, then nothing is reported', async () => {
    await parcels('order-whole', [{}, {}])
    await parcels('order-on-its-way', [
      { status: 'dispatched', delivered: null, nextStep: '2030-01-01T00:00:00Z' },
      { status: 'created', dispatched: null, delivered: null, nextStep: '2030-01-01T00:00:00Z' },
    ])
    await parcels('order-cancelled', [{ status: 'cancelled', dispatched: null, delivered: null }])
    expect(await violations()).toEqual([])
  })

  it('when a parcel is missing, one arrived before it left, or one is forgotten by the carrier, then each is named', async () => {
    await parcels('order-missing-one', [{ count: 2 }])
    const [early] = await parcels('order-early', [{ dispatched: null }])
    const [forgotten] = await parcels('order-forgotten', [{ status: 'dispatched', delivered: null }])
    expect(await violations()).toEqual(
      expect.arrayContaining([
        ['parcels of an order missing or miscounted', 'order-missing-one'],
        ['parcel delivered before dispatch, or cancelled after it', early],
        ['parcel the carrier has forgotten, or still plans for', forgotten],
      ]),
    )
    expect(await violations()).toHaveLength(3)
  })
})
