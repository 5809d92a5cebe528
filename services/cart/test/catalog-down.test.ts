import type { ServiceError } from '@grpc/grpc-js'
import * as grpc from '@grpc/grpc-js'
import { expectFailure, waitFor } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CartWithCatalog, startCartWithCatalog } from '../../../test-support/cart-service.js'
import { createProducts, quantities } from './fixtures.js'

describe('when the catalog is down', () => {
  let env: CartWithCatalog
  let product: string
  let token: string
  const client = () => env.cart.client

  beforeAll(async () => {
    env = await startCartWithCatalog()
    ;[product] = (await createProducts(env.catalog, 'down', 2)) as [string]
    token = (await client().call('addItem', { cartToken: '', productId: product, quantity: 2 })).cart!
      .cartToken
    await env.catalog.stop()
  })
  afterAll(async () => {
    await env?.stop()
  })

  it('then reading a cart with lines fails UNAVAILABLE, retryable, with UPSTREAM_UNAVAILABLE', async () => {
    const err = await expectFailure(client().call('getCart', { cartToken: token }), {
      kind: 'unavailable',
      code: 'UPSTREAM_UNAVAILABLE',
    })
    expect(err.retryable).toBe(true)
    expect((err.cause as ServiceError).code).toBe(grpc.status.UNAVAILABLE)
  })

  it('then adding fails UNAVAILABLE before anything is written', async () => {
    await expectFailure(client().call('addItem', { cartToken: token, productId: product, quantity: 1 }), {
      kind: 'unavailable',
      code: 'UPSTREAM_UNAVAILABLE',
    })
    await expectFailure(client().call('addItem', { cartToken: '', productId: product, quantity: 1 }), {
      kind: 'unavailable',
      code: 'UPSTREAM_UNAVAILABLE',
    })
    const rows = await env.cart.service.db!.query<{ n: number }>('select count(*)::int as n from carts')
    expect(rows.rows[0]!.n).toBe(1)
  })

  it('then an empty cart still reads, since nothing needs a price', async () => {
    const { cart } = await client().call('getCart', { cartToken: '' })
    expect(cart).toMatchObject({ id: '', lines: [] })
  })

  it('then, once the catalog is back, the cart reads again within seconds, with what it held', async () => {
    await env.restartCatalog()
    // discovery caches an answer for a second: the first reads may still find no catalog
    const read = () =>
      client()
        .call('getCart', { cartToken: token })
        .then(
          ({ cart }) => cart,
          () => undefined,
        )
    const cart = await waitFor(read, { timeoutMs: 5_000, everyMs: 200, what: 'the cart to read again' })
    expect(quantities(cart)).toEqual({ [product]: 2 })
    expect(cart?.subtotal?.amount).toBe(2_000)
  })
})
