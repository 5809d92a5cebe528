import { createServiceClient, type RunningService } from '@microshop/chassis'
import { InventoryServiceService } from '@microshop/contracts/inventory/v1/inventory'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCatalog, type TestCatalog } from '../../../test-support/catalog.js'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { silentLogger, staticDiscovery } from '../../../test-support/grpc.js'
import { startInventory } from '../src/main.js'
import { eventually, pause } from './fixtures.js'

let registry: TestDatabase
let inventoryDb: TestDatabase
let catalogDb: TestDatabase
let catalog: TestCatalog | undefined
let inventory: RunningService | undefined

const startOwnInventory = () =>
  startInventory(
    {
      DATABASE_URL: inventoryDb.url,
      REGISTRY_URL: registry.url,
      HOST: '127.0.0.1',
      GRPC_PORT: '0',
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
      INVENTORY_SEED_RETRY_MS: '100',
    },
    { handleSignals: false },
  )

const initialMovements = async () =>
  (
    await inventory!.db!.query<{ n: number }>(
      "select count(*)::int as n from stock_movements where kind = 'initial'",
    )
  ).rows[0]!.n
const seeded = async () =>
  (await inventory!.db!.query('select products from stock_seeding')).rows[0]?.products

beforeAll(async () => {
  ;[registry, inventoryDb, catalogDb] = await Promise.all([
    createTestDatabase('inventory_seed_registry'),
    createTestDatabase('inventory_seed'),
    createTestDatabase('inventory_seed_catalog'),
  ])
})
afterAll(async () => {
  await inventory?.stop()
  await catalog?.stop()
  await Promise.all([registry?.drop(), inventoryDb?.drop(), catalogDb?.drop()])
})

describe('opening stock from the catalog', () => {
  it('when the catalog is not up yet, then the inventory starts anyway and seeds once the catalog answers', async () => {
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
      await pause(400)
      expect(await seeded()).toBeUndefined()

      catalog = await startTestCatalog(catalogDb.url, { REGISTRY_URL: registry.url })
      const products = await eventually(seeded, (n) => n !== undefined, 15_000)
      expect(products).toBeGreaterThan(20)
      expect(await initialMovements()).toBe(products)
      const after = await client.call('getAvailability', { productIds: ['chefs-knife-8in'] })
      expect(after.levels[0]!.onHand).toBeGreaterThan(0)
    } finally {
      client.close()
    }
  })

  it('when the inventory restarts, then it does not seed again', async () => {
    const before = await initialMovements()
    await inventory!.stop()
    inventory = await startOwnInventory()
    await pause(400)
    expect(await initialMovements()).toBe(before)
  })
})
