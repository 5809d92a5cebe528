import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { Db } from '@microshop/chassis'
import { createDb, runMigrations } from '@microshop/chassis/internal'
import { silentLogger } from '@microshop/chassis/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { crossChecks } from '../src/commands/audit-cross.js'
import type { Connect } from '../src/commands/audit-types.js'

const SAGA_LIMIT_SECONDS = 60
const migrations = (service: string) =>
  fileURLToPath(new URL(`../../../services/${service}/src/store/migrations`, import.meta.url))

const databases: Record<string, TestDatabase> = {}
const dbs: Record<string, Db> = {}
const connect: Connect = async (name) => {
  const client = new pg.Client({ connectionString: databases[name]?.url })
  await client.connect()
  return client
}
const check = crossChecks.find((c) => c.name.startsWith('orders and shipping'))

async function order(status: string, updatedAgo = '0 seconds') {
  const id = randomUUID()
  await dbs.orders?.query(
    `insert into order_summaries (order_id, user_id, status, total_amount, currency, item_count, created_at, updated_at, version)
     values ($1, 'u', $2, 100, 'USD', 1, now() - $3::interval, now() - $3::interval, 1)`,
    [id, status, updatedAgo],
  )
  return id
}

async function parcels(orderId: string, statuses: string[]) {
  for (const [i, status] of statuses.entries()) {
    const id = randomUUID()
    await dbs.shipping?.query(
      `insert into shipments (id, order_id, user_id, parcel_number, parcel_count, status, carrier, tracking_number,
           cost_amount, cost_currency, weight_grams, destination_country, estimated_days, created_at,
           dispatch_due_at, deliver_due_at)
         values ($1, $2, 'u', $3, $4, $5, 'Microshop Ground', $6, 3499, 'USD', 24500, 'US', 4, now(), now(), now())`,
      [id, orderId, i + 1, statuses.length, status, `MS${id.slice(0, 12)}`],
    )
  }
}

const violations = async () =>
  ((await check?.run(connect, ['orders', 'shipping'], SAGA_LIMIT_SECONDS)) ?? []).map((v) => [v.check, v.ids])

beforeAll(async () => {
  for (const service of ['orders', 'shipping']) {
    const database = await createTestDatabase(`audit_cross_${service}`)
    databases[service] = database
    dbs[service] = createDb(database.url)
    await runMigrations(dbs[service], migrations(service), silentLogger)
  }
})
afterAll(async () => {
  for (const db of Object.values(dbs)) await db.close()
  for (const database of Object.values(databases)) await database.drop()
})

describe('the orders and shipping cross-check', () => {
  it('when orders or shipping is not in the system, then it does not run', async () => {
    expect(await check?.run(connect, ['orders', 'payments'], SAGA_LIMIT_SECONDS)).toBeUndefined()
  })

  it('when orders and their parcels agree, then nothing is reported', async () => {
    await parcels(await order('DELIVERED'), ['delivered', 'delivered'])
    await parcels(await order('SHIPPED'), ['delivered', 'dispatched', 'created'])
    await parcels(await order('CONFIRMED'), ['created'])
    await parcels(await order('CANCELLED', '1 hour'), ['dispatched', 'cancelled'])
    // cancelled a moment ago: shipping has not heard yet
    await parcels(await order('CANCELLED'), ['created'])
    await order('CANCELLED', '1 hour')
    expect(await violations()).toEqual([])
  })

  it('when a delivered order has a parcel on its way, a shipped one none, or parcels have no order, then each is named', async () => {
    const early = await order('DELIVERED')
    await parcels(early, ['delivered', 'dispatched'])
    const bare = await order('SHIPPED')
    const stale = await order('CANCELLED', '1 hour')
    await parcels(stale, ['cancelled', 'created'])
    const orphan = randomUUID()
    await parcels(orphan, ['created'])
    expect(await violations()).toEqual(
      expect.arrayContaining([
        ['orders and shipping: a delivered order with parcels on their way', early],
        ['orders and shipping: a shipped order without parcels', bare],
        ['orders and shipping: a cancelled order’s parcels not called off', stale],
        ['orders and shipping: parcels of an order orders does not know', orphan],
      ]),
    )
    expect(await violations()).toHaveLength(4)
  })
})
