import { createRegistryDiscovery, createServiceClient, type Discovery } from '@microshop/chassis/internal'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCatalog, type TestCatalog } from '../../../test-support/catalog.js'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { metricValue, silentLogger } from '../../../test-support/grpc.js'
import { seedProducts } from '../src/store/seed-data.js'

const servedCategories = async (catalog: TestCatalog) => {
  const text = await (await fetch(`${catalog.httpUrl}/metrics`)).text()
  return metricValue(text, 'rpc_server_duration_seconds_count', {
    rpc_method: 'ListCategories',
    rpc_grpc_status_code: '0',
  })
}

describe('two catalog instances on one database', () => {
  let db: TestDatabase
  let registry: TestDatabase
  let a: TestCatalog
  let b: TestCatalog
  let discovery: Discovery
  let client: ReturnType<typeof createServiceClient<typeof CatalogServiceService>>

  beforeAll(async () => {
    ;[db, registry] = await Promise.all([
      createTestDatabase('catalog_replicas'),
      createTestDatabase('registry'),
    ])
    const env = (id: string) => ({ INSTANCE_ID: id, REGISTRY_URL: registry.url, SHUTDOWN_TIMEOUT_MS: '2000' })
    // started together on a fresh database: both migrate and seed at once
    ;[a, b] = await Promise.all([
      startTestCatalog(db.url, env('catalog-a')),
      startTestCatalog(db.url, env('catalog-b')),
    ])
    discovery = createRegistryDiscovery(registry.url, silentLogger)
    client = createServiceClient({
      service: 'catalog',
      definition: CatalogServiceService,
      discovery,
      log: silentLogger,
      deadlineMs: 5_000,
    })
  })
  afterAll(async () => {
    client?.close()
    await discovery?.close()
    await Promise.all([a?.stop(), b?.stop()])
    await Promise.all([db?.drop(), registry?.drop()])
  })

  it('when both start together on a fresh database, then each product is seeded exactly once', async () => {
    const { categories } = await a.client.call('listCategories', {})
    expect(categories.reduce((sum, c) => sum + c.productCount, 0)).toBe(seedProducts.length)
    const { products } = await b.client.call('listProducts', {
      page: { pageSize: 100, pageToken: '' },
      category: '',
      sort: 0,
    })
    expect(products).toHaveLength(seedProducts.length)
  })

  it('when both are registered, then the registry resolves both', async () => {
    expect((await discovery.resolve('catalog')).sort()).toEqual([a.target, b.target].sort())
  })

  it('when a client calls through registry discovery, then the calls are spread over both instances', async () => {
    const before = await Promise.all([servedCategories(a), servedCategories(b)])
    for (let i = 0; i < 20; i++) await client.call('listCategories', {})
    const after = await Promise.all([servedCategories(a), servedCategories(b)])
    const [byA, byB] = [after[0] - before[0], after[1] - before[1]]
    expect(byA + byB).toBe(20)
    expect(byA).toBeGreaterThanOrEqual(5)
    expect(byB).toBeGreaterThanOrEqual(5)
  })

  it('when one instance stops, then every call still succeeds on the other', async () => {
    const before = await servedCategories(b)
    await a.stop()
    for (let i = 0; i < 20; i++) {
      const { categories } = await client.call('listCategories', {})
      expect(categories.length).toBeGreaterThan(0)
    }
    expect((await servedCategories(b)) - before).toBe(20)
    discovery.invalidate('catalog')
    expect(await discovery.resolve('catalog')).toEqual([b.target])
  })
})
