import type { CallOptions } from '@microshop/chassis'
import { expectFailure } from '@microshop/chassis/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CartWithCatalog, startCartWithCatalog } from '../../../test-support/cart-service.js'
import { createProducts, quantities } from './fixtures.js'

const PASSWORD = 'correct-horse-battery-9'
let env: CartWithCatalog
let cartDb: pg.Pool
let products: string[]
let seq = 0
const client = () => env.cart.client

interface Shopper {
  userId: string
  /** Call options that act as this shopper: a real access token from identity. */
  as: CallOptions
}

async function signedUp(): Promise<Shopper> {
  const email = `cart-shopper${++seq}.${Date.now()}@example.com`
  const identity = env.identity!.client
  await identity.call('register', { email, password: PASSWORD, name: `Shopper ${seq}` })
  const { tokens, user } = await identity.call('login', { email, password: PASSWORD })
  return { userId: user!.id, as: { authorization: `Bearer ${tokens!.accessToken}` } }
}

const anonymousCart = async (lines: [string, number][]) => {
  let token = ''
  for (const [productId, quantity] of lines)
    token = (await client().call('addItem', { cartToken: token, productId, quantity })).cart!.cartToken
  return token
}

beforeAll(async () => {
  env = await startCartWithCatalog({}, { identity: true })
  cartDb = new pg.Pool({ connectionString: env.cartDb.url, max: 2 })
  products = await createProducts(env.catalog, 'signed', 4)
})
afterAll(async () => {
  await cartDb?.end()
  await env?.stop()
})

describe("a signed-in user's cart", () => {
  it('when a signed-in user adds an item, then the cart is theirs and carries no token', async () => {
    const ada = await signedUp()
    const { cart } = await client().call(
      'addItem',
      { cartToken: '', productId: products[0]!, quantity: 2 },
      ada.as,
    )
    expect(cart).toMatchObject({ userId: ada.userId, cartToken: '' })
    expect(cart?.id).not.toBe('')
    const again = await client().call('getCart', { cartToken: '' }, ada.as)
    expect(again.cart).toMatchObject({ id: cart!.id, userId: ada.userId, cartToken: '' })
    expect(quantities(again.cart)).toEqual({ [products[0]!]: 2 })
    const { rows } = await cartDb.query('select token_hash from carts where id = $1', [cart!.id])
    expect(rows[0]!.token_hash).toBeNull()
  })

  it('when a user has no cart yet, then reading it answers an empty cart in their name and creates none', async () => {
    const ben = await signedUp()
    const { cart } = await client().call('getCart', { cartToken: '' }, ben.as)
    expect(cart).toMatchObject({ id: '', userId: ben.userId, cartToken: '', lines: [] })
    expect((await cartDb.query('select 1 from carts where user_id = $1', [ben.userId])).rowCount).toBe(0)
  })

  it("when user B reads or changes their cart, then user A's cart is neither shown nor touched", async () => {
    const [a, b] = [await signedUp(), await signedUp()]
    await client().call('addItem', { cartToken: '', productId: products[0]!, quantity: 3 }, a.as)
    expect(quantities((await client().call('getCart', { cartToken: '' }, b.as)).cart)).toEqual({})
    await expectFailure(
      client().call('updateItem', { cartToken: '', productId: products[0]!, quantity: 1 }, b.as),
      { kind: 'not_found', code: 'CART_LINE_NOT_FOUND' },
    )
    await client().call('removeItem', { cartToken: '', productId: products[0]! }, b.as)
    await client().call('clearCart', { cartToken: '' }, b.as)
    await client().call('addItem', { cartToken: '', productId: products[1]!, quantity: 1 }, b.as)
    expect(quantities((await client().call('getCart', { cartToken: '' }, a.as)).cart)).toEqual({
      [products[0]!]: 3,
    })
    expect(quantities((await client().call('getCart', { cartToken: '' }, b.as)).cart)).toEqual({
      [products[1]!]: 1,
    })
  })

  it("when a signed-in user presents someone's anonymous cart token, then it is ignored: they reach only their own cart", async () => {
    const stranger = await anonymousCart([[products[2]!, 4]])
    const a = await signedUp()
    await client().call('addItem', { cartToken: '', productId: products[0]!, quantity: 1 }, a.as)

    const read = await client().call('getCart', { cartToken: stranger }, a.as)
    expect(read.cart).toMatchObject({ userId: a.userId, cartToken: '' })
    expect(quantities(read.cart)).toEqual({ [products[0]!]: 1 })
    await client().call('addItem', { cartToken: stranger, productId: products[1]!, quantity: 1 }, a.as)
    await client().call('removeItem', { cartToken: stranger, productId: products[2]! }, a.as)
    await client().call('clearCart', { cartToken: stranger }, a.as)

    const untouched = await client().call('getCart', { cartToken: stranger })
    expect(untouched.cart?.userId).toBe('')
    expect(quantities(untouched.cart)).toEqual({ [products[2]!]: 4 })
    expect(quantities((await client().call('getCart', { cartToken: '' }, a.as)).cart)).toEqual({})
  })

  it('when a caller sends an access token that is not valid, then the call fails UNAUTHENTICATED rather than going anonymous', async () => {
    const a = await signedUp()
    const tampered = `${String(a.as.authorization).slice(0, -4)}AAAA`
    for (const authorization of [tampered, 'Bearer not-a-jwt', 'Basic abc'])
      await expectFailure(client().call('getCart', { cartToken: '' }, { authorization }), {
        kind: 'unauthenticated',
        code: 'AUTH_TOKEN_INVALID',
      })
  })

  it('when 20 first additions race for a user without a cart, then one cart is made and none is lost', async () => {
    const a = await signedUp()
    await Promise.all(
      Array.from({ length: 20 }, () =>
        client().call('addItem', { cartToken: '', productId: products[3]!, quantity: 2 }, a.as),
      ),
    )
    expect(quantities((await client().call('getCart', { cartToken: '' }, a.as)).cart)).toEqual({
      [products[3]!]: 40,
    })
    expect((await cartDb.query('select 1 from carts where user_id = $1', [a.userId])).rowCount).toBe(1)
  })
})

describe('merging at sign-in', () => {
  it('when an anonymous cart is merged, then lines are summed into the user cart and the anonymous cart is gone', async () => {
    const token = await anonymousCart([
      [products[0]!, 2],
      [products[1]!, 1],
    ])
    const anonymousId = (await client().call('getCart', { cartToken: token })).cart!.id
    const a = await signedUp()
    await client().call('addItem', { cartToken: '', productId: products[0]!, quantity: 3 }, a.as)

    const { cart } = await client().call('mergeCarts', { cartToken: token }, a.as)
    expect(cart).toMatchObject({ userId: a.userId, cartToken: '' })
    expect(quantities(cart)).toEqual({ [products[0]!]: 5, [products[1]!]: 1 })
    expect(cart?.subtotal?.amount).toBe(6_000)

    expect((await cartDb.query('select 1 from carts where id = $1', [anonymousId])).rowCount).toBe(0)
    const after = await client().call('getCart', { cartToken: token })
    expect(after.cart).toMatchObject({ id: '', cartToken: '', userId: '', lines: [] })
  })

  it('when the same token is merged again, or an unknown one, then the user cart is returned unchanged', async () => {
    const token = await anonymousCart([[products[2]!, 1]])
    const a = await signedUp()
    const first = await client().call('mergeCarts', { cartToken: token }, a.as)
    for (const cartToken of [token, 'C'.repeat(43), ''])
      expect(quantities((await client().call('mergeCarts', { cartToken }, a.as)).cart)).toEqual(
        quantities(first.cart),
      )
    expect(quantities(first.cart)).toEqual({ [products[2]!]: 1 })
  })

  it('when merged quantities pass 99, then the line is capped at 99', async () => {
    const token = await anonymousCart([[products[0]!, 60]])
    const a = await signedUp()
    await client().call('addItem', { cartToken: '', productId: products[0]!, quantity: 60 }, a.as)
    const { cart } = await client().call('mergeCarts', { cartToken: token }, a.as)
    expect(quantities(cart)).toEqual({ [products[0]!]: 99 })
  })

  it('when nobody is signed in, then merging is UNAUTHENTICATED AUTH_REQUIRED and the anonymous cart stays', async () => {
    const token = await anonymousCart([[products[1]!, 2]])
    await expectFailure(client().call('mergeCarts', { cartToken: token }), {
      kind: 'unauthenticated',
      code: 'AUTH_REQUIRED',
    })
    expect(quantities((await client().call('getCart', { cartToken: token })).cart)).toEqual({
      [products[1]!]: 2,
    })
  })

  it('when two users merge the same token at once, then its lines land in exactly one cart', async () => {
    const token = await anonymousCart([[products[3]!, 5]])
    const [a, b] = [await signedUp(), await signedUp()]
    const merged = await Promise.all(
      [a, b].map((u) => client().call('mergeCarts', { cartToken: token }, u.as)),
    )
    const landed = merged.map(({ cart }) => quantities(cart)[products[3]!] ?? 0)
    expect(landed.sort()).toEqual([0, 5])
  })
})
