import { createHash } from 'node:crypto'
import { waitFor } from '@microshop/chassis/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CartWithCatalog, startCartWithCatalog } from '../../../test-support/cart-service.js'
import { createProducts, expectFieldFailure, quantities } from './fixtures.js'

let env: CartWithCatalog
let cartDb: pg.Pool
const client = () => env.cart.client

beforeAll(async () => {
  // a fast pruner, so the expiry test sees it work
  env = await startCartWithCatalog({ CART_PRUNE_INTERVAL_MS: '200' })
  cartDb = new pg.Pool({ connectionString: env.cartDb.url, max: 2 })
})
afterAll(async () => {
  await cartDb?.end()
  await env?.stop()
})

const countCarts = async () =>
  (await cartDb.query<{ n: number }>('select count(*)::int as n from carts')).rows[0]!.n

describe('an anonymous cart', () => {
  let products: string[]
  beforeAll(async () => {
    products = await createProducts(env.catalog, 'anon', 3)
  })

  it('when an item is added without a token, then a new cart comes back with a token that reaches it again', async () => {
    const { cart } = await client().call('addItem', { cartToken: '', productId: products[0]!, quantity: 2 })
    expect(cart?.cartToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(cart?.id).not.toBe('')
    expect(cart?.userId).toBe('')
    expect(quantities(cart)).toEqual({ [products[0]!]: 2 })

    const again = await client().call('getCart', { cartToken: cart!.cartToken })
    expect(again.cart?.id).toBe(cart?.id)
    expect(again.cart?.cartToken).toBe(cart?.cartToken)
    expect(quantities(again.cart)).toEqual({ [products[0]!]: 2 })
  })

  it('when a cart is made, then only the SHA-256 of its token is stored', async () => {
    const { cart } = await client().call('addItem', { cartToken: '', productId: products[0]!, quantity: 1 })
    const { rows } = await cartDb.query<{ token_hash: Buffer }>(
      'select token_hash from carts where id = $1',
      [cart!.id],
    )
    expect(rows[0]!.token_hash).toEqual(createHash('sha256').update(cart!.cartToken).digest())
    const { rows: mentions } = await cartDb.query(
      `select 1 from carts c where c::text like '%' || $1 || '%'`,
      [cart!.cartToken],
    )
    expect(mentions).toHaveLength(0)
  })

  it('when a token names no cart, then reading answers an empty cart, without a token, and creates nothing', async () => {
    const before = await countCarts()
    for (const cartToken of ['', 'not-a-token', 'A'.repeat(43)]) {
      const { cart } = await client().call('getCart', { cartToken })
      expect(cart).toMatchObject({ id: '', cartToken: '', userId: '', lines: [], itemCount: 0 })
      expect(cart?.subtotal).toEqual({ amount: 0, currency: 'USD' })
    }
    expect(await countCarts()).toBe(before)
  })

  it('when a write carries a token that names no cart, then a new cart with a new token is issued', async () => {
    const unknown = 'B'.repeat(43)
    const { cart } = await client().call('addItem', {
      cartToken: unknown,
      productId: products[1]!,
      quantity: 1,
    })
    expect(cart?.cartToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(cart?.cartToken).not.toBe(unknown)
    expect(quantities((await client().call('getCart', { cartToken: unknown })).cart)).toEqual({})
    expect(quantities((await client().call('getCart', { cartToken: cart!.cartToken })).cart)).toEqual({
      [products[1]!]: 1,
    })
  })

  it('when two anonymous carts exist, then each token reaches only its own cart', async () => {
    const a = (await client().call('addItem', { cartToken: '', productId: products[0]!, quantity: 1 })).cart!
    const b = (await client().call('addItem', { cartToken: '', productId: products[1]!, quantity: 5 })).cart!
    expect(a.id).not.toBe(b.id)
    await client().call('addItem', { cartToken: b.cartToken, productId: products[2]!, quantity: 1 })
    expect(quantities((await client().call('getCart', { cartToken: a.cartToken })).cart)).toEqual({
      [products[0]!]: 1,
    })
    expect(quantities((await client().call('getCart', { cartToken: b.cartToken })).cart)).toEqual({
      [products[1]!]: 5,
      [products[2]!]: 1,
    })
  })
})

describe('changing the lines', () => {
  let products: string[]
  let token: string
  beforeAll(async () => {
    products = await createProducts(env.catalog, 'lines', 3)
    token = (await client().call('addItem', { cartToken: '', productId: products[0]!, quantity: 1 })).cart!
      .cartToken
  })

  it('when the same product is added again, then its quantity is summed into the one line', async () => {
    const { cart } = await client().call('addItem', {
      cartToken: token,
      productId: products[0]!,
      quantity: 4,
    })
    expect(cart?.lines).toHaveLength(1)
    expect(quantities(cart)).toEqual({ [products[0]!]: 5 })
    expect(cart?.cartToken).toBe(token)
  })

  it('when a line is updated, then its quantity is set, and 0 removes it', async () => {
    await client().call('addItem', { cartToken: token, productId: products[1]!, quantity: 1 })
    const set = await client().call('updateItem', { cartToken: token, productId: products[0]!, quantity: 2 })
    expect(quantities(set.cart)).toEqual({ [products[0]!]: 2, [products[1]!]: 1 })
    const zero = await client().call('updateItem', { cartToken: token, productId: products[1]!, quantity: 0 })
    expect(quantities(zero.cart)).toEqual({ [products[0]!]: 2 })
  })

  it('when a line not in the cart is updated, then it is NOT_FOUND CART_LINE_NOT_FOUND and nothing is added', async () => {
    await expectFieldFailure(
      client().call('updateItem', { cartToken: token, productId: products[2]!, quantity: 3 }),
      { kind: 'not_found', code: 'CART_LINE_NOT_FOUND' },
      'productId',
    )
    expect(quantities((await client().call('getCart', { cartToken: token })).cart)).toEqual({
      [products[0]!]: 2,
    })
  })

  it('when a line is removed, then it is gone, and removing it again changes nothing', async () => {
    await client().call('addItem', { cartToken: token, productId: products[2]!, quantity: 1 })
    const removed = await client().call('removeItem', { cartToken: token, productId: products[2]! })
    expect(quantities(removed.cart)).toEqual({ [products[0]!]: 2 })
    const again = await client().call('removeItem', { cartToken: token, productId: products[2]! })
    expect(quantities(again.cart)).toEqual({ [products[0]!]: 2 })
    expect(again.cart?.cartToken).toBe(token)
  })

  it('when the cart is cleared, then it is empty, keeps its token, and takes new items', async () => {
    const before = (await client().call('getCart', { cartToken: token })).cart!
    const { cart } = await client().call('clearCart', { cartToken: token })
    expect(cart).toMatchObject({ id: before.id, cartToken: token, lines: [], itemCount: 0 })
    expect(cart?.subtotal?.amount).toBe(0)
    const refilled = await client().call('addItem', {
      cartToken: token,
      productId: products[1]!,
      quantity: 1,
    })
    expect(refilled.cart?.id).toBe(before.id)
    expect(quantities(refilled.cart)).toEqual({ [products[1]!]: 1 })
  })

  it('when a shrinking write carries no token, then it answers an empty cart and creates none', async () => {
    const before = await countCarts()
    expect((await client().call('clearCart', { cartToken: '' })).cart).toMatchObject({
      id: '',
      cartToken: '',
    })
    const removed = await client().call('removeItem', { cartToken: '', productId: products[0]! })
    expect(removed.cart).toMatchObject({ id: '', cartToken: '' })
    const zero = await client().call('updateItem', { cartToken: '', productId: products[0]!, quantity: 0 })
    expect(zero.cart).toMatchObject({ id: '', cartToken: '' })
    expect(await countCarts()).toBe(before)
  })
})

describe('what may be added', () => {
  let products: string[]
  beforeAll(async () => {
    products = await createProducts(env.catalog, 'limits', 2)
  })

  it('when the product is not in the catalog, then it is NOT_FOUND CART_UNKNOWN_PRODUCT and no cart is made', async () => {
    const before = await countCarts()
    await expectFieldFailure(
      client().call('addItem', { cartToken: '', productId: 'no-such-product', quantity: 1 }),
      { kind: 'not_found', code: 'CART_UNKNOWN_PRODUCT' },
      'productId',
    )
    expect(await countCarts()).toBe(before)
  })

  it('when the product id is empty or holds NUL, then it is INVALID_ARGUMENT CART_INVALID_PRODUCT_ID', async () => {
    for (const productId of ['', 'a\u0000b'])
      await expectFieldFailure(
        client().call('addItem', { cartToken: '', productId, quantity: 1 }),
        { kind: 'invalid_argument', code: 'CART_INVALID_PRODUCT_ID' },
        'productId',
      )
  })

  it('when a quantity is outside 1 to 99, then it is INVALID_ARGUMENT CART_INVALID_QUANTITY', async () => {
    const token = (await client().call('addItem', { cartToken: '', productId: products[0]!, quantity: 1 }))
      .cart!.cartToken
    for (const quantity of [0, -1, 100])
      await expectFieldFailure(
        client().call('addItem', { cartToken: token, productId: products[0]!, quantity }),
        { kind: 'invalid_argument', code: 'CART_INVALID_QUANTITY' },
        'quantity',
      )
    for (const quantity of [-1, 100])
      await expectFieldFailure(
        client().call('updateItem', { cartToken: token, productId: products[0]!, quantity }),
        { kind: 'invalid_argument', code: 'CART_INVALID_QUANTITY' },
        'quantity',
      )
    const edge = await client().call('updateItem', {
      cartToken: token,
      productId: products[0]!,
      quantity: 99,
    })
    expect(quantities(edge.cart)).toEqual({ [products[0]!]: 99 })
  })

  it('when additions would pass 99, then the line is capped at 99', async () => {
    const { cart } = await client().call('addItem', { cartToken: '', productId: products[1]!, quantity: 60 })
    const capped = await client().call('addItem', {
      cartToken: cart!.cartToken,
      productId: products[1]!,
      quantity: 60,
    })
    expect(quantities(capped.cart)).toEqual({ [products[1]!]: 99 })
  })
})

describe('the line limit', () => {
  let products: string[]
  beforeAll(async () => {
    products = await createProducts(env.catalog, 'many', 70)
  })

  it('when a cart holds 50 products, then a 51st is FAILED_PRECONDITION CART_TOO_MANY_LINES, more of one it holds is fine', async () => {
    let token = ''
    for (const productId of products.slice(0, 50))
      token = (await client().call('addItem', { cartToken: token, productId, quantity: 1 })).cart!.cartToken
    await expectFieldFailure(
      client().call('addItem', { cartToken: token, productId: products[50]!, quantity: 1 }),
      { kind: 'failed_precondition', code: 'CART_TOO_MANY_LINES' },
      'productId',
    )
    const more = await client().call('addItem', { cartToken: token, productId: products[0]!, quantity: 1 })
    expect(more.cart?.lines).toHaveLength(50)
    expect(quantities(more.cart)[products[0]!]).toBe(2)
    expect(more.cart?.itemCount).toBe(51)
  })

  it('when 20 new products are added at once to carts holding 48, then exactly 2 fit in each and 18 are refused', async () => {
    const fill = async () => {
      let token = ''
      for (const productId of products.slice(0, 48))
        token = (await client().call('addItem', { cartToken: token, productId, quantity: 1 })).cart!.cartToken
      return token
    }
    // four carts at once: more calls in flight make a missing lock show on every run, not one in three
    const tokens = await Promise.all([fill(), fill(), fill(), fill()])
    const results = await Promise.all(
      tokens.map((cartToken) =>
        Promise.allSettled(
          products
            .slice(48, 68)
            .map((productId) => client().call('addItem', { cartToken, productId, quantity: 1 })),
        ),
      ),
    )
    for (const [i, settled] of results.entries()) {
      const refused = settled.filter((r) => r.status === 'rejected')
      expect(
        settled.filter((r) => r.status === 'fulfilled'),
        `cart ${i}`,
      ).toHaveLength(2)
      for (const r of refused) expect((r as PromiseRejectedResult).reason.code).toBe('CART_TOO_MANY_LINES')
      expect((await client().call('getCart', { cartToken: tokens[i]! })).cart?.lines).toHaveLength(50)
    }
  })
})

describe('concurrent additions to one line', () => {
  let product: string
  beforeAll(async () => {
    ;[product] = (await createProducts(env.catalog, 'busy', 1)) as [string]
  })

  const addTwentyTimes = async (quantity: number) => {
    const { cart } = await client().call('addItem', { cartToken: '', productId: product, quantity: 1 })
    const token = cart!.cartToken
    await Promise.all(
      Array.from({ length: 20 }, () =>
        client().call('addItem', { cartToken: token, productId: product, quantity }),
      ),
    )
    return quantities((await client().call('getCart', { cartToken: token })).cart)[product]
  }

  it('when 20 additions of 3 race on one line, then none is lost', async () => {
    expect(await addTwentyTimes(3)).toBe(61)
  })

  it('when 20 additions of 7 race past the maximum, then the line ends at exactly 99', async () => {
    expect(await addTwentyTimes(7)).toBe(99)
  })
})

describe('prices', () => {
  let products: string[]
  beforeAll(async () => {
    products = await createProducts(env.catalog, 'priced', 2, 1_250)
  })

  it('when the cart is read, then names, prices and totals come from the catalog', async () => {
    const token = (await client().call('addItem', { cartToken: '', productId: products[0]!, quantity: 3 }))
      .cart!.cartToken
    const { cart } = await client().call('addItem', {
      cartToken: token,
      productId: products[1]!,
      quantity: 1,
    })
    expect(cart?.lines[0]).toEqual({
      productId: products[0],
      name: 'priced item 1',
      quantity: 3,
      unitPrice: { amount: 1_250, currency: 'USD' },
      lineTotal: { amount: 3_750, currency: 'USD' },
      imageUrl: `/images/products/${products[0]}.svg`,
      available: true,
    })
    expect(cart?.subtotal).toEqual({ amount: 5_000, currency: 'USD' })
    expect(cart?.itemCount).toBe(4)
  })

  it('when the catalog changes a price, then the cart shows the new price', async () => {
    const token = (await client().call('addItem', { cartToken: '', productId: products[1]!, quantity: 2 }))
      .cart!.cartToken
    const { product } = await env.catalog.client.call('getProduct', { id: products[1]! })
    await env.catalog.client.call('upsertProduct', {
      product: { ...product!, name: 'Renamed', price: { amount: 2_000, currency: 'USD' } },
      createOnly: false,
    })
    const { cart } = await client().call('getCart', { cartToken: token })
    expect(cart?.lines[0]).toMatchObject({
      name: 'Renamed',
      unitPrice: { amount: 2_000 },
      lineTotal: { amount: 4_000 },
    })
    expect(cart?.subtotal?.amount).toBe(4_000)
  })

  it('when a product is gone from the catalog, then its line stays, unavailable and out of the totals', async () => {
    const [kept, gone] = await createProducts(env.catalog, 'vanishing', 2, 500)
    let token = (await client().call('addItem', { cartToken: '', productId: kept!, quantity: 1 })).cart!
      .cartToken
    token = (await client().call('addItem', { cartToken: token, productId: gone!, quantity: 4 })).cart!
      .cartToken
    // the catalog has no delete yet: take the product out of its database behind its back
    const catalogDb = new pg.Client({ connectionString: env.catalogDb.url })
    await catalogDb.connect()
    await catalogDb.query('delete from products where id = $1', [gone])
    await catalogDb.end()
    const { cart } = await client().call('getCart', { cartToken: token })
    expect(cart?.lines.find((l) => l.productId === gone)).toEqual({
      productId: gone,
      name: '',
      quantity: 4,
      unitPrice: undefined,
      lineTotal: undefined,
      imageUrl: '',
      available: false,
    })
    expect(cart?.subtotal?.amount).toBe(500)
    expect(cart?.itemCount).toBe(1)
  })
})

describe('expiry of anonymous carts', () => {
  it('when an anonymous cart is older than 30 days, then its token reaches nothing and the pruner deletes it', async () => {
    const [product] = await createProducts(env.catalog, 'expiring', 1)
    const old = (await client().call('addItem', { cartToken: '', productId: product!, quantity: 1 })).cart!
    const fresh = (await client().call('addItem', { cartToken: '', productId: product!, quantity: 1 })).cart!
    await cartDb.query(`update carts set updated_at = now() - interval '30 days 1 minute' where id = $1`, [
      old.id,
    ])
    await cartDb.query(`update carts set updated_at = now() - interval '29 days 23 hours' where id = $1`, [
      fresh.id,
    ])

    expect((await client().call('getCart', { cartToken: old.cartToken })).cart).toMatchObject({
      id: '',
      lines: [],
    })
    await waitFor(
      async () => (await cartDb.query('select id from carts where id = $1', [old.id])).rowCount === 0,
      { timeoutMs: 5_000, what: 'the pruner to delete the expired cart' },
    )
    expect((await cartDb.query('select 1 from cart_lines where cart_id = $1', [old.id])).rowCount).toBe(0)
    const kept = await client().call('getCart', { cartToken: fresh.cartToken })
    expect(kept.cart?.id).toBe(fresh.id)
    expect(quantities(kept.cart)).toEqual({ [product!]: 1 })
  })
})
