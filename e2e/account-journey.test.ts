import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOpenApiChecker, type OpenApiDocument } from '../test-support/openapi.js'
import { type Stack, startStack } from '../test-support/stack.js'

// A new user's way through the edge, every response checked against the OpenAPI document.
let stack: Stack
let openapi: ReturnType<typeof createOpenApiChecker>

const call = (
  path: string,
  init: { method?: string; token?: string; cartToken?: string; json?: unknown } = {},
) =>
  fetch(`${stack.base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.cartToken ? { 'x-cart-token': init.cartToken } : {}),
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
    signal: AbortSignal.timeout(10_000),
  })

interface Cart {
  cartToken?: string
  lines: {
    productId: string
    quantity: number
    unitPrice: { amount: number }
    lineTotal: { amount: number }
  }[]
  itemCount: number
  subtotal: { amount: number }
}

beforeAll(async () => {
  stack = await startStack(['catalog', 'identity', 'cart', 'gateway'])
  openapi = createOpenApiChecker(
    (await (await fetch(`${stack.base}/api/openapi.json`)).json()) as OpenApiDocument,
  )
})

afterAll(async () => {
  await stack?.close()
})

describe('a new user', () => {
  it('when they shop anonymously, sign up, sign in, refresh and sign out, then the cart follows them', async () => {
    const added = await call('/api/cart/items', {
      method: 'POST',
      json: { productId: 'enamel-camp-mug', quantity: 2 },
    })
    expect(added.status).toBe(200)
    const anonymous = (await openapi.check(added, 'POST', '/api/cart/items')) as Cart
    const cartToken = added.headers.get('x-cart-token')!
    expect(cartToken).toBe(anonymous.cartToken)
    expect(anonymous.lines).toEqual([expect.objectContaining({ productId: 'enamel-camp-mug', quantity: 2 })])

    const more = await call('/api/cart/items', {
      method: 'POST',
      cartToken,
      json: { productId: 'brass-fountain-pen', quantity: 1 },
    })
    const twoLines = (await openapi.check(more, 'POST', '/api/cart/items')) as Cart
    expect(twoLines.itemCount).toBe(3)
    expect(twoLines.subtotal.amount).toBe(twoLines.lines.reduce((sum, l) => sum + l.lineTotal.amount, 0))

    const email = `shopper-${Date.now()}@example.com`
    const password = 'a-long-enough-pass-7'
    const registered = await call('/api/auth/register', {
      method: 'POST',
      json: { email, password, name: 'Sam Shopper' },
    })
    expect(registered.status).toBe(201)
    expect(
      ((await openapi.check(registered, 'POST', '/api/auth/register')) as { roles: string[] }).roles,
    ).toEqual(['customer'])

    const login = await call('/api/auth/login', { method: 'POST', cartToken, json: { email, password } })
    const tokens = (await openapi.check(login, 'POST', '/api/auth/login')) as {
      accessToken: string
      refreshToken: string
    }

    const merged = (await openapi.check(
      await call('/api/cart', { token: tokens.accessToken }),
      'GET',
      '/api/cart',
    )) as Cart
    expect(merged.lines.map((l) => [l.productId, l.quantity]).sort()).toEqual([
      ['brass-fountain-pen', 1],
      ['enamel-camp-mug', 2],
    ])
    expect(merged.cartToken).toBeUndefined()
    const leftBehind = (await (await call('/api/cart', { cartToken })).json()) as Cart
    expect(leftBehind.lines).toEqual([])

    const patched = await call('/api/me', {
      method: 'PATCH',
      token: tokens.accessToken,
      json: {
        addresses: [
          { name: 'Sam', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
        ],
      },
    })
    const me = (await openapi.check(patched, 'PATCH', '/api/me')) as { addresses: { isDefault: boolean }[] }
    expect(me.addresses).toHaveLength(1)

    const updated = await call('/api/cart/items/enamel-camp-mug', {
      method: 'PATCH',
      token: tokens.accessToken,
      json: { quantity: 5 },
    })
    expect(((await openapi.check(updated, 'PATCH', '/api/cart/items/{productId}')) as Cart).itemCount).toBe(6)
    const removed = await call('/api/cart/items/brass-fountain-pen', {
      method: 'DELETE',
      token: tokens.accessToken,
    })
    expect(
      ((await openapi.check(removed, 'DELETE', '/api/cart/items/{productId}')) as Cart).lines,
    ).toHaveLength(1)

    const refreshed = await call('/api/auth/refresh', {
      method: 'POST',
      json: { refreshToken: tokens.refreshToken },
    })
    const next = (await openapi.check(refreshed, 'POST', '/api/auth/refresh')) as { refreshToken: string }
    expect(next.refreshToken).not.toBe(tokens.refreshToken)

    const out = await call('/api/auth/logout', { method: 'POST', json: { refreshToken: next.refreshToken } })
    expect(out.status).toBe(204)
    const after = await call('/api/auth/refresh', {
      method: 'POST',
      json: { refreshToken: next.refreshToken },
    })
    expect(after.status).toBe(401)
    await openapi.check(after, 'POST', '/api/auth/refresh')
  })

  it('when a product page is asked, then it comes aggregated with related products; the JWKS is public', async () => {
    const res = await call('/api/products/enamel-camp-mug')
    const product = (await openapi.check(res, 'GET', '/api/products/{id}')) as { related: unknown[] }
    expect(product.related.length).toBeGreaterThan(0)
    const jwks = await call('/.well-known/jwks.json')
    const keys = (await openapi.check(jwks, 'GET', '/.well-known/jwks.json')) as {
      keys: { kid: string; d?: string }[]
    }
    expect(keys.keys.length).toBeGreaterThan(0)
    expect(keys.keys.every((k) => k.kid && k.d === undefined)).toBe(true)
  })

  it('when the docs page is opened, then Swagger UI is served', async () => {
    const res = await call('/api/docs/')
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('swagger')
  })
})
