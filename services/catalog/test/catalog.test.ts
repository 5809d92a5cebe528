import * as grpc from '@grpc/grpc-js'
import type { AppError } from '@microshop/chassis'
import { CatalogServiceClient, type Product, ProductSort } from '@microshop/contracts/catalog/v1/catalog'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCatalog, type TestCatalog } from '../../../test-support/catalog.js'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import {
  checkGrpcHealth,
  listReflectedServices,
  metricValue,
  rejectionOf,
} from '../../../test-support/grpc.js'
import { seedCategories, seedProducts } from '../src/store/seed-data.js'

type Client = TestCatalog['client']

/** Every page of a listing, in order, following the page tokens. */
async function walk(client: Client, opts: { sort?: ProductSort; pageSize?: number; category?: string } = {}) {
  const products: Product[] = []
  let pageToken = ''
  let pages = 0
  do {
    const res = await client.call('listProducts', {
      page: { pageSize: opts.pageSize ?? 0, pageToken },
      category: opts.category ?? '',
      sort: opts.sort ?? ProductSort.PRODUCT_SORT_UNSPECIFIED,
    })
    products.push(...res.products)
    pageToken = res.nextPageToken
    if (++pages > 500) throw new Error('paging does not end')
  } while (pageToken)
  return { products, ids: products.map((p) => p.id), pages }
}

async function searchAll(client: Client, query: string, category = '') {
  const products: Product[] = []
  let pageToken = ''
  let pages = 0
  do {
    const res = await client.call('searchProducts', { query, page: { pageSize: 50, pageToken }, category })
    products.push(...res.products)
    pageToken = res.nextPageToken
    if (++pages > 100) throw new Error('paging does not end')
  } while (pageToken)
  return products
}

const searchIds = async (client: Client, query: string, category = '') =>
  (await searchAll(client, query, category)).map((p) => p.id)

const totalOf = async (client: Client) =>
  (await client.call('listCategories', {})).categories.reduce((sum, c) => sum + c.productCount, 0)

const seededInCategory = (category: string) => seedProducts.filter((p) => p.category === category).length

const newProduct = (id: string, patch: Partial<Product> = {}): Product => ({
  id,
  name: 'Test Desk Lamp',
  description: 'A lamp made for tests.',
  price: { amount: 3_900, currency: 'USD' },
  category: 'home',
  imageUrl: '',
  weightGrams: 800,
  updatedAt: '',
  ...patch,
})

describe('catalog seeding', () => {
  let db: TestDatabase
  let catalog: TestCatalog | undefined

  beforeAll(async () => {
    db = await createTestDatabase('catalog_seed')
  })
  afterAll(async () => {
    await catalog?.stop()
    await db?.drop()
  })

  it('when it starts on an empty database, then the demo catalog is seeded', async () => {
    catalog = await startTestCatalog(db.url)
    const { categories } = await catalog.client.call('listCategories', {})
    expect(seedProducts.length).toBeGreaterThanOrEqual(40)
    expect(categories.length).toBeGreaterThanOrEqual(6)
    expect(categories.map((c) => c.id)).toEqual(seedCategories.map((c) => c.id))
    for (const c of categories) {
      expect(c.productCount, c.id).toBe(seededInCategory(c.id))
      expect(c.productCount, c.id).toBeGreaterThan(0)
    }
    const { ids } = await walk(catalog.client, { pageSize: 100 })
    expect(ids.length).toBe(seedProducts.length)
    expect(categories.reduce((sum, c) => sum + c.productCount, 0)).toBe(ids.length)
  })

  it('when it starts again on the same database, then nothing is duplicated and edits are kept', async () => {
    const edited = seedProducts[0]!.id
    await catalog!.client.call('upsertProduct', {
      createOnly: false,
      product: newProduct(edited, { name: 'Renamed Before Restart', category: seedProducts[0]!.category }),
    })
    await catalog!.stop()
    catalog = undefined
    catalog = await startTestCatalog(db.url)
    const { categories } = await catalog.client.call('listCategories', {})
    expect(categories.map((c) => c.id)).toEqual(seedCategories.map((c) => c.id))
    for (const c of categories) expect(c.productCount, c.id).toBe(seededInCategory(c.id))
    const { ids } = await walk(catalog.client, { pageSize: 100 })
    expect(new Set(ids).size).toBe(seedProducts.length)
    expect(ids.length).toBe(seedProducts.length)
    const { product } = await catalog.client.call('getProduct', { id: edited })
    expect(product?.name).toBe('Renamed Before Restart')
  })

  it('when seeding is turned off, then an empty database stays empty', async () => {
    const empty = await createTestDatabase('catalog_noseed')
    const unseeded = await startTestCatalog(empty.url, { CATALOG_SEED: 'false' })
    try {
      const { categories } = await unseeded.client.call('listCategories', {})
      expect(categories).toEqual([])
      expect((await walk(unseeded.client)).ids).toEqual([])
    } finally {
      await unseeded.stop()
      await empty.drop()
    }
  })
})

describe('catalog reads', () => {
  let db: TestDatabase
  let catalog: TestCatalog

  beforeAll(async () => {
    db = await createTestDatabase('catalog_read')
    catalog = await startTestCatalog(db.url)
  })
  afterAll(async () => {
    await catalog?.stop()
    await db?.drop()
  })

  describe('ListProducts', () => {
    it('when paging with tokens, then every product is seen exactly once, in every sort order', async () => {
      for (const sort of [
        ProductSort.PRODUCT_SORT_UNSPECIFIED,
        ProductSort.PRODUCT_SORT_NAME,
        ProductSort.PRODUCT_SORT_PRICE_ASC,
        ProductSort.PRODUCT_SORT_PRICE_DESC,
        ProductSort.PRODUCT_SORT_NEWEST,
      ]) {
        const { ids, pages } = await walk(catalog.client, { sort, pageSize: 7 })
        expect(ids.length, `sort ${sort}`).toBe(seedProducts.length)
        expect(new Set(ids).size, `sort ${sort}`).toBe(seedProducts.length)
        expect(pages).toBe(Math.ceil(seedProducts.length / 7))
      }
    })

    it('when no page size is asked, then a page holds 20 products and says where to continue', async () => {
      for (const pageSize of [0, -5]) {
        const res = await catalog.client.call('listProducts', {
          page: { pageSize, pageToken: '' },
          category: '',
          sort: 0,
        })
        expect(res.products).toHaveLength(20)
        expect(res.nextPageToken).not.toBe('')
      }
    })

    it('when the last page is reached, then there is no next page token', async () => {
      const res = await catalog.client.call('listProducts', {
        page: { pageSize: seedProducts.length, pageToken: '' },
        category: '',
        sort: 0,
      })
      expect(res.products).toHaveLength(seedProducts.length)
      expect(res.nextPageToken).toBe('')
    })

    it('when a page size of 10^9 is asked, then it is clamped to the configured max', async () => {
      const all = await catalog.client.call('listProducts', {
        page: { pageSize: 1e9, pageToken: '' },
        category: '',
        sort: 0,
      })
      expect(all.products).toHaveLength(seedProducts.length)
      expect(all.nextPageToken).toBe('')
      const small = await startTestCatalog(db.url, { CATALOG_MAX_PAGE_SIZE: '10' })
      try {
        const res = await small.client.call('listProducts', {
          page: { pageSize: 1e9, pageToken: '' },
          category: '',
          sort: 0,
        })
        expect(res.products).toHaveLength(10)
        expect(res.nextPageToken).not.toBe('')
        expect((await walk(small.client, { pageSize: 1e9 })).pages).toBe(Math.ceil(seedProducts.length / 10))
      } finally {
        await small.stop()
      }
    })

    it('when filtered by category, then only that category comes back, all of it', async () => {
      for (const { id } of seedCategories) {
        const { products } = await walk(catalog.client, { category: id, pageSize: 4 })
        expect(products.length, id).toBe(seededInCategory(id))
        expect(new Set(products.map((p) => p.category))).toEqual(new Set([id]))
      }
      for (const category of ['no-such-category', "'; drop table products; --", 'kitchen\u0000'])
        expect((await walk(catalog.client, { category })).ids, category).toEqual([])
      expect(await searchIds(catalog.client, 'wool', 'apparel\u0000')).toEqual([])
    })

    it('when sorted by name, then names ascend (code point order, ties by id)', async () => {
      const { products } = await walk(catalog.client, { sort: ProductSort.PRODUCT_SORT_NAME, pageSize: 9 })
      for (let i = 1; i < products.length; i++) {
        const [a, b] = [products[i - 1]!, products[i]!]
        expect(a.name < b.name || (a.name === b.name && a.id < b.id), `${a.name} before ${b.name}`).toBe(true)
      }
      expect(products.map((p) => p.name)).toEqual(seedProducts.map((p) => p.name).sort())
    })

    it('when sorted by price, then prices ascend or descend, ties by id', async () => {
      const asc = (await walk(catalog.client, { sort: ProductSort.PRODUCT_SORT_PRICE_ASC, pageSize: 9 }))
        .products
      const desc = (await walk(catalog.client, { sort: ProductSort.PRODUCT_SORT_PRICE_DESC, pageSize: 9 }))
        .products
      for (let i = 1; i < asc.length; i++) {
        const [a, b] = [asc[i - 1]!, asc[i]!]
        expect(
          a.price!.amount < b.price!.amount || (a.price!.amount === b.price!.amount && a.id < b.id),
        ).toBe(true)
      }
      for (let i = 1; i < desc.length; i++) {
        const [a, b] = [desc[i - 1]!, desc[i]!]
        expect(
          a.price!.amount > b.price!.amount || (a.price!.amount === b.price!.amount && a.id < b.id),
        ).toBe(true)
      }
      const prices = seedProducts.map((p) => p.priceCents)
      expect(asc[0]!.price!.amount).toBe(Math.min(...prices))
      expect(desc[0]!.price!.amount).toBe(Math.max(...prices))
    })

    it('when sorted by newest, then the most recently added product comes first', async () => {
      const { ids } = await walk(catalog.client, { sort: ProductSort.PRODUCT_SORT_NEWEST, pageSize: 9 })
      // the seed staggers created_at: the first seed product is the newest
      expect(ids).toEqual(seedProducts.map((p) => p.id))
    })

    it('when the page token is garbage, then the call is INVALID_ARGUMENT naming pageToken', async () => {
      for (const pageToken of ['garbage', 'o1.!!!', '12', `o1.${Buffer.from('-1').toString('base64url')}`]) {
        const err = await rejectionOf<AppError>(
          catalog.client.call('listProducts', { page: { pageSize: 5, pageToken }, category: '', sort: 0 }),
        )
        expect(err.kind, pageToken).toBe('invalid_argument')
        expect(err.code).toBe('CATALOG_INVALID_PAGE_TOKEN')
        expect(err.fields.map((f) => f.field)).toEqual(['pageToken'])
      }
      const err = await rejectionOf<AppError>(
        catalog.client.call('searchProducts', {
          query: 'wool',
          page: { pageSize: 5, pageToken: 'nope' },
          category: '',
        }),
      )
      expect(err.code).toBe('CATALOG_INVALID_PAGE_TOKEN')
    })

    it('when the sort order is unknown, then the call is INVALID_ARGUMENT naming sort', async () => {
      const err = await rejectionOf<AppError>(
        catalog.client.call('listProducts', { page: undefined, category: '', sort: 99 as ProductSort }),
      )
      expect(err.kind).toBe('invalid_argument')
      expect(err.fields.map((f) => f.field)).toEqual(['sort'])
    })
  })

  describe('GetProduct', () => {
    it('when the product exists, then it comes back whole', async () => {
      const seeded = seedProducts.find((p) => p.id === 'cast-iron-skillet-10in')!
      const { product } = await catalog.client.call('getProduct', { id: seeded.id })
      expect(product).toMatchObject({
        id: seeded.id,
        name: seeded.name,
        description: seeded.description,
        price: { amount: seeded.priceCents, currency: 'USD' },
        category: seeded.category,
        imageUrl: `/images/products/${seeded.id}.svg`,
        weightGrams: seeded.weightGrams,
      })
      expect(Number.isNaN(Date.parse(product!.updatedAt))).toBe(false)
    })

    it('when the product does not exist, then the client gets a not_found AppError with the catalog code', async () => {
      const err = await rejectionOf<AppError>(catalog.client.call('getProduct', { id: 'no-such-product' }))
      expect(err.name).toBe('AppError')
      expect(err.kind).toBe('not_found')
      expect(err.code).toBe('CATALOG_PRODUCT_NOT_FOUND')
      expect(err.retryable).toBe(false)
      expect(err.message).toContain('no-such-product')
    })

    it('when the product does not exist, then the wire status is NOT_FOUND with x-error-code', async () => {
      const raw = new CatalogServiceClient(catalog.target, grpc.credentials.createInsecure())
      try {
        const err = await new Promise<grpc.ServiceError>((resolve, reject) =>
          raw.getProduct({ id: 'no-such-product' }, (e, res) =>
            e ? resolve(e) : reject(new Error(`found ${res.product?.id}`)),
          ),
        )
        expect(err.code).toBe(grpc.status.NOT_FOUND)
        expect(err.metadata.get('x-error-code')).toEqual(['CATALOG_PRODUCT_NOT_FOUND'])
        expect(err.metadata.get('x-error-retryable')).toEqual(['false'])
      } finally {
        raw.close()
      }
    })

    it('when the id holds odd characters, then it is simply not found', async () => {
      for (const id of ['', "'; drop table products; --", 'a\u0000b', '☕', 'x'.repeat(10_000)]) {
        const err = await rejectionOf<AppError>(catalog.client.call('getProduct', { id }))
        expect(err.code, JSON.stringify(id.slice(0, 30))).toBe('CATALOG_PRODUCT_NOT_FOUND')
      }
    })
  })

  describe('GetProducts', () => {
    it('when ids are asked, then products come back in the order asked and unknown ids are dropped', async () => {
      const [a, b, c] = [seedProducts[5]!.id, seedProducts[30]!.id, seedProducts[12]!.id]
      const { products } = await catalog.client.call('getProducts', {
        ids: [c, 'no-such-product', a, b, 'a\u0000b'],
      })
      expect(products.map((p) => p.id)).toEqual([c, a, b])
    })

    it('when no ids are asked, then no products come back', async () => {
      expect((await catalog.client.call('getProducts', { ids: [] })).products).toEqual([])
    })

    it('when 200 ids are asked, then that is allowed; when 201, then INVALID_ARGUMENT', async () => {
      const ids = Array.from({ length: 200 }, (_, i) => seedProducts[i % seedProducts.length]!.id)
      const { products } = await catalog.client.call('getProducts', { ids })
      expect(products.map((p) => p.id)).toEqual(ids)
      const err = await rejectionOf<AppError>(
        catalog.client.call('getProducts', { ids: [...ids, 'one-more'] }),
      )
      expect(err.kind).toBe('invalid_argument')
      expect(err.code).toBe('CATALOG_TOO_MANY_IDS')
      expect(err.fields.map((f) => f.field)).toEqual(['ids'])
    })
  })

  describe('SearchProducts', () => {
    it('when searching a word, then the product named by it ranks first', async () => {
      const ids = await searchIds(catalog.client, 'skillet')
      expect(ids[0]).toBe('cast-iron-skillet-10in')
      expect(ids.length).toBeLessThan(seedProducts.length)
    })

    it('when searching another form of a word, then stemming finds it', async () => {
      expect(await searchIds(catalog.client, 'candles')).toContain('cedar-sage-soy-candle')
      expect(await searchIds(catalog.client, 'towel')).toContain('linen-tea-towels-set-3')
      expect(await searchIds(catalog.client, 'grinders')).toContain('conical-burr-grinder')
    })

    it('when searching part of a word, then the prefix still finds it', async () => {
      expect(await searchIds(catalog.client, 'skil')).toContain('cast-iron-skillet-10in')
      expect(await searchIds(catalog.client, 'fount')).toContain('brass-fountain-pen')
      expect(await searchIds(catalog.client, 'HEADPH')).toContain('wireless-over-ear-headphones')
    })

    it('when searching an accented name, then it is found', async () => {
      expect((await searchIds(catalog.client, 'Crème Brûlée'))[0]).toBe('creme-brulee-torch-set')
      expect(await searchIds(catalog.client, 'café')).toContain('cafe-espresso-cups-set-4')
      expect(await searchIds(catalog.client, 'Brûl')).toContain('creme-brulee-torch-set')
    })

    it('when searching without the accents, then the accented names are found too', async () => {
      expect((await searchIds(catalog.client, 'creme brulee'))[0]).toBe('creme-brulee-torch-set')
      expect(await searchIds(catalog.client, 'cafe')).toContain('cafe-espresso-cups-set-4')
      expect(await searchIds(catalog.client, 'brul')).toContain('creme-brulee-torch-set')
    })

    it('when searching with a category, then only that category comes back', async () => {
      const everywhere = await searchAll(catalog.client, 'wool')
      const apparel = await searchAll(catalog.client, 'wool', 'apparel')
      expect(apparel.length).toBeGreaterThan(0)
      expect(everywhere.length).toBeGreaterThan(apparel.length)
      for (const p of apparel) expect(p.category).toBe('apparel')
    })

    it('when results span pages, then every page token leads on without repeats', async () => {
      const ids: string[] = []
      let pageToken = ''
      do {
        const res = await catalog.client.call('searchProducts', {
          query: 'set',
          page: { pageSize: 2, pageToken },
          category: '',
        })
        expect(res.products.length).toBeLessThanOrEqual(2)
        ids.push(...res.products.map((p) => p.id))
        pageToken = res.nextPageToken
      } while (pageToken)
      expect(ids.length).toBeGreaterThan(2)
      expect(new Set(ids).size).toBe(ids.length)
      expect(ids).toEqual(await searchIds(catalog.client, 'set'))
    })

    it('when the text has quotes or an apostrophe, then it is searched, not parsed', async () => {
      expect(await searchIds(catalog.client, '"chef\'s')).toContain('chefs-knife-8in')
      expect(await searchIds(catalog.client, "chef's knife")).toContain('chefs-knife-8in')
      expect(await searchIds(catalog.client, '"cast iron" -kettlebell')).toEqual(['cast-iron-skillet-10in'])
    })

    it('when the text is hostile, then no call crashes, wildcards match only themselves and nothing is harmed', async () => {
      const hostile = [
        '%',
        '%%',
        '_',
        '\\',
        '\\%',
        "'",
        '"',
        "'; drop table products; --",
        'a & | ! :* ( ) <-> b',
        '☕🧁',
        'ünïcödé 漢字 עִבְרִית',
        ' or 1=1 ',
        '$1',
      ]
      for (const query of hostile) {
        const products = await searchAll(catalog.client, query)
        expect(products.length, query).toBeLessThan(seedProducts.length)
      }
      for (const wildcard of ['%', '_', '\\']) {
        for (const p of await searchAll(catalog.client, wildcard))
          expect(`${p.name} ${p.description}`, wildcard).toContain(wildcard)
      }
      expect((await searchAll(catalog.client, '%')).length).toBeGreaterThan(0)
      const { ids } = await walk(catalog.client, { pageSize: 100 })
      expect(ids.length).toBe(seedProducts.length)
      expect(await totalOf(catalog.client)).toBe(seedProducts.length)
    })

    it('when the text is empty, blank, too long or holds NUL, then the call is INVALID_ARGUMENT naming q', async () => {
      for (const query of ['', '   ', 'x'.repeat(10_000), 'y'.repeat(201), 'chef\u0000knife']) {
        const err = await rejectionOf<AppError>(
          catalog.client.call('searchProducts', { query, page: undefined, category: '' }),
        )
        expect(err.kind, query.slice(0, 20)).toBe('invalid_argument')
        expect(err.code).toBe('CATALOG_INVALID_QUERY')
        expect(err.fields.map((f) => f.field)).toEqual(['q'])
      }
      expect(await searchIds(catalog.client, 'y'.repeat(200))).toEqual([])
    })
  })

  describe('operations', () => {
    it('when running, then /health/live and /health/ready answer 200', async () => {
      const live = await fetch(`${catalog.httpUrl}/health/live`)
      expect(live.status).toBe(200)
      const ready = await fetch(`${catalog.httpUrl}/health/ready`)
      expect(ready.status).toBe(200)
      expect(await ready.json()).toEqual({ status: 'ready' })
    })

    it('when calls were served, then /metrics counts them in rpc_server_duration_seconds', async () => {
      const scrape = async () => {
        const res = await fetch(`${catalog.httpUrl}/metrics`)
        expect(res.status).toBe(200)
        expect(res.headers.get('content-type')).toContain('text/plain')
        return res.text()
      }
      const before = await scrape()
      expect(before).toContain('# TYPE rpc_server_duration_seconds histogram')
      await catalog.client.call('getProduct', { id: seedProducts[0]!.id })
      await catalog.client.call('getProduct', { id: seedProducts[1]!.id })
      await rejectionOf(catalog.client.call('getProduct', { id: 'missing' }))
      const after = await scrape()
      const count = (text: string, code: string) =>
        metricValue(text, 'rpc_server_duration_seconds_count', {
          rpc_method: 'GetProduct',
          rpc_grpc_status_code: code,
        })
      // status codes as numbers, as OpenTelemetry's rpc.grpc.status_code: 0 OK, 5 NOT_FOUND
      expect(count(after, '0') - count(before, '0')).toBe(2)
      expect(count(after, '5') - count(before, '5')).toBe(1)
      expect(after).toMatch(/^process_cpu_seconds_total\{[^}]*service="catalog"/m)
    })

    it('when asked over gRPC health, then the server and the catalog service are SERVING', async () => {
      expect(await checkGrpcHealth(catalog.target)).toBe('SERVING')
      expect(await checkGrpcHealth(catalog.target, 'microshop.catalog.v1.CatalogService')).toBe('SERVING')
    })

    it('when asked by server reflection, then the catalog service is listed', async () => {
      const services = await listReflectedServices(catalog.target)
      expect(services).toContain('microshop.catalog.v1.CatalogService')
    })
  })
})

describe('catalog writes', () => {
  let db: TestDatabase
  let catalog: TestCatalog

  beforeAll(async () => {
    db = await createTestDatabase('catalog_write')
    catalog = await startTestCatalog(db.url)
  })
  afterAll(async () => {
    await catalog?.stop()
    await db?.drop()
  })

  it('when a new product is upserted, then it is created, readable, counted and newest', async () => {
    const homeBefore = (await catalog.client.call('listCategories', {})).categories.find(
      (c) => c.id === 'home',
    )!
    const res = await catalog.client.call('upsertProduct', {
      createOnly: false,
      product: newProduct('test-desk-lamp', { name: '  Test Desk Lamp  ' }),
    })
    expect(res.created).toBe(true)
    expect(res.product).toMatchObject({
      id: 'test-desk-lamp',
      name: 'Test Desk Lamp',
      price: { amount: 3_900, currency: 'USD' },
      imageUrl: '/images/products/test-desk-lamp.svg',
    })
    const { product } = await catalog.client.call('getProduct', { id: 'test-desk-lamp' })
    expect(product).toEqual(res.product)
    const homeAfter = (await catalog.client.call('listCategories', {})).categories.find(
      (c) => c.id === 'home',
    )!
    expect(homeAfter.productCount).toBe(homeBefore.productCount + 1)
    const newest = await catalog.client.call('listProducts', {
      page: { pageSize: 1, pageToken: '' },
      category: '',
      sort: ProductSort.PRODUCT_SORT_NEWEST,
    })
    expect(newest.products[0]?.id).toBe('test-desk-lamp')
    expect(await searchIds(catalog.client, 'desk lamp')).toContain('test-desk-lamp')
  })

  it('when an existing product is upserted again, then it is updated, not created', async () => {
    const first = await catalog.client.call('upsertProduct', {
      createOnly: false,
      product: newProduct('test-kettle', { category: 'kitchen' }),
    })
    expect(first.created).toBe(true)
    const second = await catalog.client.call('upsertProduct', {
      createOnly: false,
      product: newProduct('test-kettle', {
        category: 'kitchen',
        name: 'Test Kettle, Red',
        price: { amount: 4_200, currency: 'USD' },
      }),
    })
    expect(second.created).toBe(false)
    expect(second.product).toMatchObject({
      name: 'Test Kettle, Red',
      price: { amount: 4_200, currency: 'USD' },
    })
    expect(Date.parse(second.product!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.product!.updatedAt))
    const { product } = await catalog.client.call('getProduct', { id: 'test-kettle' })
    expect(product?.name).toBe('Test Kettle, Red')
    const { products } = await catalog.client.call('getProducts', { ids: ['test-kettle'] })
    expect(products).toHaveLength(1)
  })

  it.each([
    ['id', { id: 'Not A Slug' }],
    ['name', { name: 'x' }],
    ['name', { name: 'Lamp\u0000Shade' }],
    ['description', { description: 'd'.repeat(4001) }],
    ['price.amount', { price: { amount: -1, currency: 'USD' } }],
    ['price.amount', { price: undefined }],
    ['price.currency', { price: { amount: 100, currency: 'EUR' } }],
    ['category', { category: 'garden' }],
    ['imageUrl', { imageUrl: 'javascript:alert(1)' }],
    ['weightGrams', { weightGrams: -5 }],
  ] as Array<[string, Partial<Product>]>)(
    'when %s is invalid, then the upsert is INVALID_ARGUMENT naming it and nothing is written',
    async (field, patch) => {
      const id = patch.id ?? `test-invalid-${field.replace('.', '-').toLowerCase()}`
      const err = await rejectionOf<AppError>(
        catalog.client.call('upsertProduct', { createOnly: false, product: newProduct(id, patch) }),
      )
      expect(err.kind).toBe('invalid_argument')
      expect(err.code).toBe('CATALOG_INVALID_PRODUCT')
      expect(err.fields.map((f) => f.field)).toContain(field)
      expect(err.message).toContain(field)
      const missing = await rejectionOf<AppError>(catalog.client.call('getProduct', { id }))
      expect(missing.code).toBe('CATALOG_PRODUCT_NOT_FOUND')
    },
  )

  it('when an update is invalid, then the stored product is left as it was', async () => {
    await catalog.client.call('upsertProduct', {
      createOnly: false,
      product: newProduct('test-mug', { name: 'Test Mug' }),
    })
    await rejectionOf(
      catalog.client.call('upsertProduct', {
        createOnly: false,
        product: newProduct('test-mug', { name: 'Test Mug 2', weightGrams: -1 }),
      }),
    )
    expect((await catalog.client.call('getProduct', { id: 'test-mug' })).product?.name).toBe('Test Mug')
  })

  it('when the caller is not an admin, or sends no token, then UpsertProduct is refused and the price stands', async () => {
    await catalog.client.call('upsertProduct', {
      createOnly: false,
      product: newProduct('test-yoga-mat', { name: 'Test Yoga Mat' }),
    })
    const email = `not-admin-${Date.now()}@example.com`
    const password = 'correct-horse-battery-9'
    await catalog.identity!.client.call('register', { email, password, name: 'Mallory' })
    const { tokens } = await catalog.identity!.client.call('login', { email, password })
    const cheap = {
      createOnly: false,
      product: newProduct('test-yoga-mat', { price: { amount: 1, currency: 'USD' } }),
    }
    const asUser = await rejectionOf<AppError>(
      catalog.client.call('upsertProduct', cheap, { authorization: `Bearer ${tokens?.accessToken}` }),
    )
    expect(asUser.kind).toBe('permission_denied')
    expect(asUser.code).toBe('AUTH_FORBIDDEN')
    const anonymous = await rejectionOf<AppError>(
      catalog.client.call('upsertProduct', cheap, { authorization: '' }),
    )
    expect(anonymous.kind).toBe('unauthenticated')
    const { product } = await catalog.client.call('getProduct', { id: 'test-yoga-mat' })
    expect(product?.price).toEqual({ amount: 3_900, currency: 'USD' })
  })

  it('when no product is sent, then the upsert is INVALID_ARGUMENT naming product', async () => {
    const err = await rejectionOf<AppError>(
      catalog.client.call('upsertProduct', { createOnly: false, product: undefined }),
    )
    expect(err.kind).toBe('invalid_argument')
    expect(err.fields.map((f) => f.field)).toEqual(['product'])
  })

  it('when there are more products than the max page size, then 10^9 is clamped to 100', async () => {
    for (let i = 0; i < 60; i++)
      await catalog.client.call('upsertProduct', {
        createOnly: false,
        product: newProduct(`test-bulk-${i}`, { name: `Bulk Item ${i}` }),
      })
    const total = await totalOf(catalog.client)
    expect(total).toBeGreaterThan(100)
    const res = await catalog.client.call('listProducts', {
      page: { pageSize: 1e9, pageToken: '' },
      category: '',
      sort: 0,
    })
    expect(res.products).toHaveLength(100)
    expect(res.nextPageToken).not.toBe('')
    const { ids } = await walk(catalog.client, { pageSize: 1e9 })
    expect(ids.length).toBe(total)
    expect(new Set(ids).size).toBe(total)
  })
})

describe('catalog readiness', () => {
  it('when its database goes away, then /health/ready answers 503 while /health/live stays 200', async () => {
    const db = await createTestDatabase('catalog_ready')
    const catalog = await startTestCatalog(db.url)
    try {
      expect((await fetch(`${catalog.httpUrl}/health/ready`)).status).toBe(200)
      await db.drop()
      const ready = await fetch(`${catalog.httpUrl}/health/ready`)
      expect(ready.status).toBe(503)
      expect(await ready.json()).toEqual({ status: 'not ready' })
      expect((await fetch(`${catalog.httpUrl}/health/live`)).status).toBe(200)
    } finally {
      await catalog.stop()
      await db.drop()
    }
  })
})
