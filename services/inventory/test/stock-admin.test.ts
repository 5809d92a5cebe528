import { randomUUID } from 'node:crypto'
import { expectFailure, waitFor } from '@microshop/chassis/testing'
import { events } from '@microshop/contracts/events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SEED_LOW_QUANTITY, seedQuantities } from '../src/domain/seed-stock.js'
import { CATALOG_EVENTS_GROUP } from '../src/events/consumers.js'
import { type InventoryStack, signedUpCustomer, startInventoryStack } from './fixtures.js'

let env: InventoryStack
const db = () => env.db()

const movements = async (productId: string) =>
  (
    await db().query<{ kind: string; quantity: number }>(
      'select kind, quantity from stock_movements where product_id = $1 order by id',
      [productId],
    )
  ).rows

const knows = async (productId: string) =>
  ((await db().query('select 1 from stock_levels where product_id = $1', [productId])).rowCount ?? 0) > 0

async function seededCatalogProductIds(): Promise<string[]> {
  const ids: string[] = []
  let pageToken = ''
  do {
    const page = await env.catalog.call('listProducts', {
      page: { pageSize: 20, pageToken },
      category: '',
      sort: 0,
    })
    // the products these tests made came after the seeding
    ids.push(...page.products.map((p) => p.id).filter((id) => !/^(inv-test|fresh|created)-/.test(id)))
    pageToken = page.nextPageToken
  } while (pageToken)
  return ids
}

beforeAll(async () => {
  env = await startInventoryStack()
})
afterAll(async () => {
  await env?.stop()
})

describe('SetStock', () => {
  it('when no one or a customer sets stock, then it is refused, and nothing changes', async () => {
    const mug = await env.product(4)
    await expectFailure(env.inventory.call('setStock', { productId: mug, onHand: 40 }), {
      kind: 'unauthenticated',
      code: 'AUTH_REQUIRED',
    })
    const customer = await signedUpCustomer(env.identity)
    await expectFailure(env.inventory.call('setStock', { productId: mug, onHand: 40 }, customer), {
      kind: 'permission_denied',
      code: 'AUTH_FORBIDDEN',
    })
    expect(await movements(mug)).toEqual([{ kind: 'adjustment', quantity: 4 }])
  })

  it('when the admin sets stock, then the level moves by one adjustment movement of the difference', async () => {
    const mug = await env.product(10)
    const { level } = await env.inventory.call('setStock', { productId: mug, onHand: 6 }, env.admin)
    expect(level).toEqual({ productId: mug, available: 6, reserved: 0, onHand: 6 })
    await env.inventory.call('setStock', { productId: mug, onHand: 6 }, env.admin)
    expect(await movements(mug)).toEqual([
      { kind: 'adjustment', quantity: 10 },
      { kind: 'adjustment', quantity: -4 },
    ])
  })

  it('when on hand would go below what is reserved, then it is refused', async () => {
    const mug = await env.product(10)
    await env.inventory.call('reserveStock', {
      orderId: `order-${randomUUID()}`,
      lines: [{ productId: mug, quantity: 7 }],
      ttlSeconds: 0,
    })
    await expectFailure(env.inventory.call('setStock', { productId: mug, onHand: 6 }, env.admin), {
      kind: 'failed_precondition',
      code: 'INVENTORY_BELOW_RESERVED',
    })
    const { level } = await env.inventory.call('setStock', { productId: mug, onHand: 7 }, env.admin)
    expect(level).toEqual({ productId: mug, available: 0, reserved: 7, onHand: 7 })
  })

  it('when the product is in no catalog, or the quantity is negative, then it is refused', async () => {
    await expectFailure(env.inventory.call('setStock', { productId: 'never-made', onHand: 5 }, env.admin), {
      kind: 'not_found',
      code: 'INVENTORY_PRODUCT_NOT_FOUND',
    })
    expect(await knows('never-made')).toBe(false)
    const mug = await env.product(1)
    await expectFailure(env.inventory.call('setStock', { productId: mug, onHand: -1 }, env.admin), {
      kind: 'invalid_argument',
      code: 'INVENTORY_INVALID_REQUEST',
    })
  })
})

describe('products from the catalog', () => {
  it('when the inventory starts, then every catalog product has its opening stock as one initial movement', async () => {
    const ids = await seededCatalogProductIds()
    expect(ids.length).toBeGreaterThan(20)
    const expected = seedQuantities(ids)
    // the seeding runs in the background, in one transaction: once the levels show, so does its record
    const { levels } = await waitFor(
      async () => {
        const answer = await env.inventory.call('getAvailability', { productIds: ids })
        return answer.levels.every((l) => l.onHand > 0) ? answer : undefined
      },
      { what: 'the opening stock' },
    )
    expect((await db().query('select products from stock_seeding')).rows).toEqual([{ products: ids.length }])
    expect(Object.fromEntries(levels.map((l) => [l.productId, l.onHand]))).toEqual(
      Object.fromEntries(expected),
    )
    const { rows } = await db().query<{ kinds: string[] }>(
      `select array_agg(kind) as kinds from stock_movements where product_id = any($1::text[]) group by product_id`,
      [ids],
    )
    expect(rows).toHaveLength(ids.length)
    expect(rows.every((r) => r.kinds.length === 1 && r.kinds[0] === 'initial')).toBe(true)
    const low = ids.filter((id) => expected.get(id) === SEED_LOW_QUANTITY)
    const stockLow = (await env.outbox([events.StockLow])).map((e) => e.subject)
    expect(low.every((id) => stockLow.includes(id))).toBe(true)
  })

  it('when the catalog creates a product, then the inventory knows it with nothing on hand', async () => {
    const id = `fresh-${randomUUID().slice(0, 8)}`
    await env.catalog.call(
      'upsertProduct',
      {
        product: {
          id,
          name: 'Fresh product',
          description: 'new in the catalog',
          price: { amount: 500, currency: 'USD' },
          category: 'home',
          imageUrl: '',
          weightGrams: 10,
          updatedAt: '',
        },
        createOnly: true,
      },
      env.admin,
    )
    await waitFor(() => knows(id), { what: 'the new product known' })
    expect(await movements(id)).toEqual([])
    const { levels } = await env.inventory.call('getAvailability', { productIds: [id] })
    expect(levels).toEqual([{ productId: id, available: 0, reserved: 0, onHand: 0 }])
  })

  it('when a ProductUpdated is not a creation, then the inventory does not add the product', async () => {
    const id = `updated-${randomUUID().slice(0, 8)}`
    const product = {
      id,
      name: 'x',
      description: '',
      price: { amount: 100, currency: 'USD' },
      category: 'home',
      imageUrl: '',
      weightGrams: 0,
      updatedAt: '',
    }
    const update = await env.publish(events.ProductUpdated, { product, created: false })
    await env.handled(CATALOG_EVENTS_GROUP, update)
    expect(await knows(id)).toBe(false)
  })
})

describe('the invariants query', () => {
  it('when every change went through the ledger, then it finds no violation', async () => {
    expect(await env.violations()).toEqual([])
  })

  it('when a level is changed behind the ledger, then it names the product; and movements cannot be edited', async () => {
    const mug = await env.product(5)
    await db().query('update stock_levels set on_hand = on_hand + 2 where product_id = $1', [mug])
    try {
      const found = (await env.violations()).filter((v) => v.product_id === mug).map((v) => v.violation)
      expect(found).toEqual(['level differs from ledger', 'stock not conserved'])
    } finally {
      await db().query('update stock_levels set on_hand = on_hand - 2 where product_id = $1', [mug])
    }
    await expect(
      db().query('update stock_movements set quantity = 50 where product_id = $1', [mug]),
    ).rejects.toThrow(/append-only/)
    await expect(db().query('delete from stock_movements where product_id = $1', [mug])).rejects.toThrow(
      /append-only/,
    )
    expect(await env.violations()).toEqual([])
  })
})
