import type { RunningService } from '@microshop/chassis'
import { createServiceClient } from '@microshop/chassis/internal'
import { silentLogger, staticDiscovery, waitFor } from '@microshop/chassis/testing'
import { InventoryServiceService } from '@microshop/contracts/inventory/v1/inventory'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCatalog, type TestCatalog } from '../../../test-support/catalog.js'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { metricValue } from '../../../test-support/grpc.js'
import { startInventory } from '../src/main.js'

let registry: TestDatabase
let bus: TestDatabase
let inventoryDb: TestDatabase
let catalogDb: TestDatabase
let catalog: TestCatalog | undefined
let inventory: RunningService | undefined

const startOwnInventory = () =>
  startInventory(
    {
      DATABASE_URL: inventoryDb.url,
      BUS_URL: bus.url,
      REGISTRY_URL: registry.url,
      HOST: '127.0.0.1',
      GRPC_PORT: '0',
      GRPC_INSECURE: 'true',
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
      INVENTORY_SEED_RETRY_MS: '100',
    },
    { handleSignals: false },
  )

const query = async <R extends Record<string, unknown>>(sql: string) => {
  const db = inventory?.db
  if (!db) throw new Error('the inventory is not running')
  return (await db.query<R>(sql)).rows
}
const initialMovements = async () =>
  (await query<{ n: number }>("select count(*)::int as n from stock_movements where kind = 'initial'"))[0]?.n
const seedings = () => query<{ products: number }>('select products from stock_seeding')

/** The status the running inventory's /health/ready answers. */
const readiness = async () => (await fetch(`http://127.0.0.1:${inventory?.httpPort}/health/ready`)).status

/** How many seeding runs of the running inventory ended this way (its own metrics, counted from its start). */
async function seedingRuns(outcome: 'seeded' | 'already_seeded' | 'failed') {
  const text = await (await fetch(`http://127.0.0.1:${inventory?.httpPort}/metrics`)).text()
  return metricValue(text, 'inventory_stock_seeding_runs_total', { outcome })
}

beforeAll(async () => {
  ;[registry, bus, inventoryDb, catalogDb] = await Promise.all([
    createTestDatabase('inventory_seed_registry'),
    createTestDatabase('inventory_seed_bus'),
    createTestDatabase('inventory_seed'),
    createTestDatabase('inventory_seed_catalog'),
  ])
})
afterAll(async () => {
  await inventory?.stop()
  await catalog?.stop()
  await Promise.all([registry?.drop(), bus?.drop(), inventoryDb?.drop(), catalogDb?.drop()])
})

describe('opening stock from the catalog', () => {
  it('when the catalog is not up yet, then the inventory starts anyway, not ready, and seeds and becomes ready once the catalog answers', async () => {
    inventory = await startOwnInventory()
    const client = createServiceClient({
      service: 'inventory',
      definition: InventoryServiceService,
      discovery: staticDiscovery([`127.0.0.1:${inventory.grpcPort}`]),
      log: silentLogger,
    })
    try {
      const { levels } = await client.call('getAvailability', { productIds: ['chefs-knife-8in'] })
      expect(levels[0]).toMatchObject({ productId: 'chefs-knife-8in', onHand: 0 })
      // a run that found no catalog: it left nothing seeded, and nothing to order, so the inventory is not ready
      await waitFor(async () => (await seedingRuns('failed')) >= 1, {
        what: 'a seeding run without the catalog',
      })
      expect(await seedings()).toEqual([])
      expect(await readiness()).toBe(503)

      catalog = await startTestCatalog(catalogDb.url, { REGISTRY_URL: registry.url })
      await inventory.whenReady
      expect(await readiness()).toBe(200)
      // ready means stocked: the opening stock is there by then
      const [seeded] = await seedings()
      expect(seeded?.products).toBeGreaterThan(20)
      expect(await initialMovements()).toBe(seeded?.products)
      const after = await client.call('getAvailability', { productIds: ['chefs-knife-8in'] })
      expect(after.levels[0]?.onHand).toBeGreaterThan(0)
    } finally {
      client.close()
    }
  })

  it('when the inventory restarts, then it does not seed again', async () => {
    const before = await initialMovements()
    await inventory?.stop()
    inventory = await startOwnInventory()
    // the restarted inventory's seeding has run to its end
    await waitFor(async () => (await seedingRuns('already_seeded')) + (await seedingRuns('seeded')) > 0, {
      what: 'the seeding run',
    })
    expect(await seedingRuns('already_seeded')).toBe(1)
    expect(await initialMovements()).toBe(before)
    expect(await seedings()).toHaveLength(1)
  })
})
