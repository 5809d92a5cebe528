import type { RunningService } from '@microshop/chassis'
import { eventually } from '@microshop/chassis/testing'
import { Validator } from '@seriousme/openapi-schema-validator'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCatalog } from '../services/catalog/src/main.js'
import { startGateway } from '../services/gateway/src/main.js'
import { createTestDatabase, type TestDatabase } from '../test-support/db.js'
import { createOpenApiChecker, type OpenApiDocument } from '../test-support/openapi.js'

// The gateway and a real catalog, in-process, found through a real registry; every body checked against the OpenAPI document.
let catalogDb: TestDatabase
let platformDb: TestDatabase
let busDb: TestDatabase
let catalog: RunningService | undefined
let gateway: RunningService
let base: string
let openapi: ReturnType<typeof createOpenApiChecker>

const common = () => ({
  REGISTRY_URL: platformDb.url,
  BUS_URL: busDb.url,
  HOST: '127.0.0.1',
  GRPC_PORT: '0',
  GRPC_INSECURE: 'true',
  HTTP_PORT: '0',
  LOG_LEVEL: 'silent',
})
const startTestCatalog = () =>
  startCatalog(
    { ...common(), DATABASE_URL: catalogDb.url, CATALOG_MAX_PAGE_SIZE: '10' },
    { handleSignals: false },
  )
const get = (path: string, init?: RequestInit) =>
  fetch(`${base}${path}`, { signal: AbortSignal.timeout(8_000), ...init })

beforeAll(async () => {
  catalogDb = await createTestDatabase('gw_catalog')
  platformDb = await createTestDatabase('gw_platform')
  busDb = await createTestDatabase('gw_bus')
  catalog = await startTestCatalog()
  gateway = await startGateway(
    { ...common(), PORT: '0', GATEWAY_UPSTREAM_DEADLINE_MS: '800' },
    { handleSignals: false },
  )
  base = `http://127.0.0.1:${gateway.publicPort}`
  openapi = createOpenApiChecker((await (await get('/api/openapi.json')).json()) as OpenApiDocument)
})

afterAll(async () => {
  await gateway?.stop()
  await catalog?.stop()
  await catalogDb?.drop()
  await platformDb?.drop()
  await busDb?.drop()
})

describe('gateway reads the catalog', () => {
  it('when products are listed, then each page matches the document and pages walk the whole catalog', async () => {
    const seen = new Set<string>()
    let token: string | undefined
    do {
      const res = await get(`/api/products?pageSize=7${token ? `&pageToken=${token}` : ''}`)
      expect(res.status).toBe(200)
      const page = (await openapi.check(res, 'GET', '/api/products')) as {
        items: { id: string }[]
        nextPageToken?: string
      }
      for (const p of page.items) seen.add(p.id)
      token = page.nextPageToken
    } while (token)
    const categories = (await openapi.check(await get('/api/categories'), 'GET', '/api/categories')) as {
      items: { productCount: number }[]
    }
    expect(seen.size).toBe(categories.items.reduce((sum, c) => sum + c.productCount, 0))
    expect(seen.size).toBeGreaterThanOrEqual(40)
  })

  it('when a page size of 10^9 is asked, then it is clamped to the catalog maximum', async () => {
    const page = (await openapi.check(
      await get('/api/products?pageSize=1000000000'),
      'GET',
      '/api/products',
    )) as {
      items: unknown[]
      nextPageToken?: string
    }
    expect(page.items).toHaveLength(10)
    expect(page.nextPageToken).toBeTruthy()
  })

  it('when sorted by price, then prices never go down', async () => {
    const page = (await openapi.check(
      await get('/api/products?sort=price_asc&pageSize=10'),
      'GET',
      '/api/products',
    )) as {
      items: { price: { amount: number } }[]
    }
    const prices = page.items.map((p) => p.price.amount)
    expect(prices).toEqual([...prices].sort((a, b) => a - b))
  })

  it('when a product is asked by id, then it comes with related products of its category', async () => {
    const res = await get('/api/products/chefs-knife-8in')
    const product = (await openapi.check(res, 'GET', '/api/products/{id}')) as {
      category: string
      related: { id: string; category: string }[]
    }
    expect(product.related.length).toBeGreaterThan(0)
    expect(product.related.every((r) => r.category === product.category && r.id !== 'chefs-knife-8in')).toBe(
      true,
    )
  })

  it('when a product does not exist, then 404 problem+json with a stable code', async () => {
    const res = await get('/api/products/no-such-thing')
    expect(res.status).toBe(404)
    const problem = (await openapi.check(res, 'GET', '/api/products/{id}')) as { code: string }
    expect(problem.code).toBe('CATALOG_PRODUCT_NOT_FOUND')
  })

  it.each([
    ["chef's", 'chefs-knife-8in'],
    ['"chef\'s knife"', 'chefs-knife-8in'],
    ['crème', undefined],
    ['100%', undefined],
  ])('when searching %j, then the answer is a valid page', async (q, expectedId) => {
    const res = await get(`/api/search?q=${encodeURIComponent(q)}`)
    expect(res.status).toBe(200)
    const page = (await openapi.check(res, 'GET', '/api/search')) as { items: { id: string }[] }
    if (expectedId) expect(page.items.map((p) => p.id)).toContain(expectedId)
    else expect(page.items.length).toBeGreaterThan(0)
  })

  it.each(["'; drop table products; --", '%', '_', '\\', '😀🛒', 'ñandú 東京', 'a'.repeat(200)])(
    'when searching the hostile string %j, then nothing breaks and % is not a wildcard',
    async (q) => {
      const res = await get(`/api/products?q=${encodeURIComponent(q)}`)
      expect(res.status).toBe(200)
      const page = (await openapi.check(res, 'GET', '/api/products')) as { items: unknown[] }
      expect(page.items.length).toBeLessThan(10)
      expect((await get('/api/products/chefs-knife-8in')).status).toBe(200)
    },
  )
})

describe('gateway rejects bad input with problem+json naming the field', () => {
  it.each([
    ['/api/products?pageSize=abc', 'pageSize'],
    ['/api/products?pageSize=0', 'pageSize'],
    ['/api/products?sort=cheapest', 'sort'],
    ['/api/products?category=Not%20A%20Slug', 'category'],
    ['/api/products?unknown=1', 'unknown'],
    [`/api/products?q=${'x'.repeat(201)}`, 'q'],
    ['/api/search', 'q'],
    ['/api/products?pageToken=forged', 'pageToken'],
  ])('GET %s → 400 naming %s', async (path, field) => {
    const res = await get(path)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    const route = path.split('?')[0]!
    const problem = (await openapi.check(res, 'GET', route)) as {
      errors?: { field: string }[]
      detail: string
    }
    expect(problem.errors?.map((e) => e.field)).toContain(field)
  })

  it('when a product id is not a slug, then 400 naming id', async () => {
    const res = await get(`/api/products/${encodeURIComponent("1' or '1'='1")}`)
    expect(res.status).toBe(400)
    const problem = (await res.json()) as { errors: { field: string }[] }
    expect(problem.errors.map((e) => e.field)).toContain('id')
  })

  it('when the body is malformed JSON, then 400 problem+json, not a crash', async () => {
    const res = await get('/api/products', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken": ',
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { code: string }).code).toBe('MALFORMED_JSON')
  })

  it('when the route does not exist, then 404 problem+json with ROUTE_NOT_FOUND and no stack', async () => {
    const res = await get('/api/nowhere')
    expect(res.status).toBe(404)
    const text = await res.text()
    expect(JSON.parse(text).code).toBe('ROUTE_NOT_FOUND')
    expect(text).not.toMatch(/at .+\.(ts|js):\d+/)
  })

  it('when a request id is sent, then it is echoed back and named in problems', async () => {
    const res = await get('/api/nowhere', { headers: { 'x-request-id': 'trace-me-123' } })
    expect(res.headers.get('x-request-id')).toBe('trace-me-123')
    expect(((await res.json()) as { instance: string }).instance).toBe('trace-me-123')
  })
})

describe('gateway when the catalog fails', () => {
  it('when the catalog is slow, then 503 problem+json with Retry-After within the deadline', async () => {
    const locker = new pg.Client({ connectionString: catalogDb.url })
    await locker.connect()
    try {
      await locker.query('begin')
      await locker.query('lock table products in access exclusive mode')
      const res = await get('/api/products?pageSize=3')
      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('1')
      const problem = (await openapi.check(res, 'GET', '/api/products')) as { code: string }
      expect(problem.code).toBe('UPSTREAM_TIMEOUT')
    } finally {
      await locker.query('rollback')
      await locker.end()
    }
  })

  it('when the catalog is down, then cached reads still answer, others get 503, and answers resume when it is back', async () => {
    expect((await get('/api/categories')).status).toBe(200)
    await catalog?.stop()
    catalog = undefined
    const cached = await get('/api/categories')
    expect(cached.status).toBe(200)
    expect(cached.headers.get('x-cache')).toBe('fresh')
    const res = await get('/api/products?sort=newest&pageSize=4')
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('1')
    const problem = (await openapi.check(res, 'GET', '/api/products')) as { code: string }
    expect(problem.code).toBe('UPSTREAM_UNAVAILABLE')

    catalog = await startTestCatalog()
    await eventually(
      async () => expect((await get('/api/products?sort=newest&pageSize=4')).status).toBe(200),
      { what: 'answers again', timeoutMs: 10_000, everyMs: 100 },
    )
  })
})

describe('gateway caches catalog reads', () => {
  it('when a read repeats, then it is served from the cache with an ETag, and If-None-Match gives 304', async () => {
    const first = await get('/api/products?category=kitchen&pageSize=5')
    expect(first.headers.get('x-cache')).toBe('miss')
    const etag = first.headers.get('etag')
    expect(etag).toMatch(/^W\/".+"$/)
    expect(first.headers.get('cache-control')).toMatch(/max-age=\d+, stale-while-revalidate=\d+/)
    const second = await get('/api/products?category=kitchen&pageSize=5')
    expect(second.headers.get('x-cache')).toBe('fresh')
    expect(await second.json()).toEqual(await first.json())
    const revalidated = await get('/api/products?category=kitchen&pageSize=5', {
      headers: { 'if-none-match': etag! },
    })
    expect(revalidated.status).toBe(304)
    expect(await openapi.check(revalidated, 'GET', '/api/products')).toBeUndefined()
  })
})

describe('the OpenAPI document', () => {
  it('when an independent OpenAPI 3.1 validator reads it, then it is valid (and a broken copy is not)', async () => {
    const doc = (await (await get('/api/openapi.json')).json()) as Record<string, unknown>
    expect(doc.openapi).toMatch(/^3\.1\./)
    const valid = await new Validator().validate(doc)
    expect(valid.errors ?? []).toEqual([])
    expect(valid.valid).toBe(true)
    // the validator can say no: a document whose paths are not objects
    const broken = await new Validator().validate({ ...doc, paths: { '/api/x': 'not an operation' } })
    expect(broken.valid).toBe(false)
  })
})
