import { waitFor } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../../test-support/stack.js'
import { fieldsOf, type GatewayEdge, gatewayEdge, type ProblemBody } from './support.js'

// The public edge in-process: the real gateway app through inject, real catalog, identity and cart behind it.
const ALLOWED_ORIGIN = 'http://localhost:5173'
let stack: Stack
let edge: GatewayEdge

beforeAll(async () => {
  stack = await startStack(['catalog', 'identity', 'cart', 'gateway'], {
    gateway: { GATEWAY_RATE_LIMIT_LOGIN: '1000', GATEWAY_BODY_LIMIT_BYTES: '4096' },
  })
  edge = await gatewayEdge(stack)
})

afterAll(async () => {
  await stack?.close()
})

const problemOf = (res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) => {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  const problem = res.json() as ProblemBody
  expect(problem.status).toBe(res.statusCode)
  expect(problem).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
    code: expect.any(String),
  })
  expect(JSON.stringify(problem)).not.toMatch(/at .+\.(ts|js):\d+/)
  return problem
}

describe('every error is problem+json with a stable code', () => {
  it('when no route matches, then 404 ROUTE_NOT_FOUND naming the path, with the request id', async () => {
    const res = await edge.inject('/api/no-such-thing?x=1', { headers: { 'x-request-id': 'req-404.test' } })
    expect(res.statusCode).toBe(404)
    const problem = problemOf(res)
    expect(problem.code).toBe('ROUTE_NOT_FOUND')
    expect(problem.detail).toBe('no route GET /api/no-such-thing')
    expect(res.headers['x-request-id']).toBe('req-404.test')
  })

  it('when the client sends its own traceparent, then the request continues that trace and the problem names it', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c'
    const res = await edge.inject('/api/no-such-thing', {
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    })
    expect(problemOf(res).traceId).toBe(traceId)
    // without one, a new trace: a trace id all the same, and not the client's
    const fresh = problemOf(await edge.inject('/api/no-such-thing'))
    expect(fresh.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect(fresh.traceId).not.toBe(traceId)
  })

  it('when a query breaks its schema, then 400 naming each field', async () => {
    const { res, body } = await edge.checked<ProblemBody>(
      '/api/products',
      '/api/products?pageSize=0&sort=cheapest&unknown=1',
    )
    expect(res.statusCode).toBe(400)
    expect(body.code).toBe('INVALID_ARGUMENT')
    expect(fieldsOf(body)).toEqual(expect.arrayContaining(['pageSize', 'sort', 'unknown']))
  })

  it('when a body breaks its schema, then 400 naming the fields inside it', async () => {
    const { res, body } = await edge.checked<ProblemBody>('/api/cart/items', '/api/cart/items', {
      method: 'POST',
      json: { productId: 'Not A Slug', quantity: 0, price: 1 },
    })
    expect(res.statusCode).toBe(400)
    expect(fieldsOf(body)).toEqual(expect.arrayContaining(['productId', 'quantity', 'price']))
    expect(body.errors?.find((e) => e.field === 'price')?.message).toBe('is not a known field')
  })

  it('when the body is larger than the limit, then 413 BODY_TOO_LARGE', async () => {
    const { res, body } = await edge.checked<ProblemBody>('/api/auth/register', '/api/auth/register', {
      method: 'POST',
      json: { email: 'big@example.com', password: 'x'.repeat(8_000), name: 'Big' },
    })
    expect(res.statusCode).toBe(413)
    expect(problemOf(res).code).toBe('BODY_TOO_LARGE')
    expect(body.code).toBe('BODY_TOO_LARGE')
  })

  it.each([
    {
      what: 'broken JSON',
      type: 'application/json',
      body: '{"productId": "x",',
      status: 400,
      code: 'MALFORMED_JSON',
    },
    { what: 'empty', type: 'application/json', body: '', status: 400, code: 'MALFORMED_JSON' },
    {
      what: 'a form',
      type: 'application/x-www-form-urlencoded',
      body: 'productId=enamel-camp-mug&quantity=1',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
  ])('when the body is $what, then $status $code', async ({ type, body, status, code }) => {
    const res = await edge.inject('/api/cart/items', {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    })
    expect(res.statusCode).toBe(status)
    expect(problemOf(res).code).toBe(code)
  })
})

describe('who may call what', () => {
  it('when a signed-in route is called without a token, then 401 AUTH_REQUIRED', async () => {
    const { res, body } = await edge.checked<ProblemBody>('/api/me', '/api/me')
    expect(res.statusCode).toBe(401)
    expect(body.code).toBe('AUTH_REQUIRED')
  })

  it('when the token is not one identity signed, then 401 AUTH_TOKEN_INVALID, even on a public route', async () => {
    const forged = `${(await edge.newCustomer()).slice(0, -4)}AAAA`
    for (const path of ['/api/me', '/api/products']) {
      const res = await edge.inject(path, { token: forged })
      expect(res.statusCode).toBe(401)
      expect(problemOf(res).code).toBe('AUTH_TOKEN_INVALID')
    }
  })

  it('when a customer calls an admin route, then 403 before its body is even read', async () => {
    const token = await edge.newCustomer()
    const { res, body } = await edge.checked<ProblemBody>('/api/admin/products', '/api/admin/products', {
      method: 'POST',
      token,
      json: { not: 'a product' },
    })
    expect(res.statusCode).toBe(403)
    expect(body.code).toBe('AUTH_FORBIDDEN')
  })

  it('when the admin creates a product, then 201 and the product as the catalog keeps it', async () => {
    const token = await edge.adminToken()
    const { res, body } = await edge.checked<{ id: string; price: { amount: number } }>(
      '/api/admin/products',
      '/api/admin/products',
      {
        method: 'POST',
        token,
        json: { name: 'Edge Test Lamp', price: { amount: 4200, currency: 'USD' }, category: 'home' },
      },
    )
    expect(res.statusCode, res.body).toBe(201)
    expect(body).toMatchObject({ id: 'edge-test-lamp', price: { amount: 4200 } })
  })
})

describe('typed routes answer what their schemas say', () => {
  it('when products are listed by price, then a page of the size asked, prices never going down', async () => {
    const { res, body } = await edge.checked<{
      items: { price: { amount: number } }[]
      nextPageToken?: string
    }>('/api/products', '/api/products?pageSize=5&sort=price_asc')
    expect(res.statusCode).toBe(200)
    expect(body.items).toHaveLength(5)
    expect(body.nextPageToken).toBeTruthy()
    const prices = body.items.map((p) => p.price.amount)
    expect(prices).toEqual([...prices].sort((a, b) => a - b))
  })

  it('when an anonymous cart is written, then its token comes back and names the same cart next time', async () => {
    const added = await edge.checked<{ cartToken: string; itemCount: number }>(
      '/api/cart/items',
      '/api/cart/items',
      { method: 'POST', json: { productId: 'enamel-camp-mug', quantity: 2 } },
    )
    expect(added.res.statusCode, added.res.body).toBe(200)
    const cartToken = added.res.headers['x-cart-token']
    expect(cartToken).toBe(added.body.cartToken)
    expect(added.res.headers['cache-control']).toBe('no-store')
    expect(added.body.itemCount).toBe(2)

    const updated = await edge.checked<{ lines: { productId: string; quantity: number }[] }>(
      '/api/cart/items/{productId}',
      '/api/cart/items/enamel-camp-mug',
      { method: 'PATCH', headers: { 'x-cart-token': String(cartToken) }, json: { quantity: 5 } },
    )
    expect(updated.res.statusCode, updated.res.body).toBe(200)
    expect(updated.body.lines).toEqual([
      expect.objectContaining({ productId: 'enamel-camp-mug', quantity: 5 }),
    ])
  })

  it('when a signed-in customer adds to the cart, then it is their cart, with no anonymous token', async () => {
    const token = await edge.newCustomer()
    const { res, body } = await edge.checked<{ cartToken?: string; lines: { productId: string }[] }>(
      '/api/cart/items',
      '/api/cart/items',
      { method: 'POST', token, json: { productId: 'chefs-knife-8in', quantity: 1 } },
    )
    expect(res.statusCode, res.body).toBe(200)
    expect(body.cartToken).toBeUndefined()
    const again = await edge.checked<{ lines: { productId: string }[] }>('/api/cart', '/api/cart', { token })
    expect(again.body.lines.map((l) => l.productId)).toEqual(['chefs-knife-8in'])
  })
})

describe('cached reads', () => {
  it('when a client sends back the ETag it got, then 304 with no body', async () => {
    const first = await edge.inject('/api/products?pageSize=3')
    expect(first.statusCode).toBe(200)
    const etag = first.headers.etag
    expect(etag).toMatch(/^W\/"/)
    expect(first.headers['cache-control']).toMatch(/^public, max-age=\d+, stale-while-revalidate=\d+$/)

    const again = await edge.checked('/api/products', '/api/products?pageSize=3', {
      headers: { 'if-none-match': String(etag) },
    })
    expect(again.res.statusCode).toBe(304)
    expect(again.res.body).toBe('')
    expect(again.res.headers['x-cache']).toBe('fresh')

    const other = await edge.inject('/api/products?pageSize=3', { headers: { 'if-none-match': 'W/"stale"' } })
    expect(other.statusCode).toBe(200)
  })

  it('when a product page is asked with its ETag, then 304, and its availability is never cached long', async () => {
    const first = await edge.inject('/api/products/chefs-knife-8in')
    expect(first.statusCode).toBe(200)
    expect(first.headers['cache-control']).toBe('public, max-age=5')
    const again = await edge.inject('/api/products/chefs-knife-8in', {
      headers: { 'if-none-match': String(first.headers.etag) },
    })
    expect(again.statusCode).toBe(304)
  })

  it('when the catalog changes a price, then the cached list is dropped and the new price served', async () => {
    const path = '/api/products?category=kitchen&pageSize=100'
    const before = await edge.inject(path)
    const knife = (before.json() as { items: { id: string; price: { amount: number } }[] }).items.find(
      (p) => p.id === 'chefs-knife-8in',
    )!
    expect((await edge.inject(path)).headers['x-cache']).toBe('fresh')

    const newPrice = knife.price.amount + 100
    const detail = (await edge.inject('/api/products/chefs-knife-8in')).json() as Record<string, unknown>
    const put = await edge.inject('/api/admin/products/chefs-knife-8in', {
      method: 'PUT',
      token: await edge.adminToken(),
      json: {
        name: detail.name,
        description: detail.description,
        price: { amount: newPrice, currency: 'USD' },
        category: detail.category,
        imageUrl: detail.imageUrl,
      },
    })
    expect(put.statusCode, put.body).toBe(200)

    // the catalog's event reaches the gateway through the bus: the next read after it is a miss
    const fresh = await waitFor(async () => {
      const res = await edge.inject(path)
      return res.headers['x-cache'] === 'miss' ? res : undefined
    })
    const served = (fresh.json() as { items: { id: string; price: { amount: number } }[] }).items
    expect(served.find((p) => p.id === 'chefs-knife-8in')?.price.amount).toBe(newPrice)
  })
})

describe('CORS', () => {
  it('when an allowed origin sends a preflight, then 204 with the methods and headers it may use', async () => {
    const res = await edge.inject('/api/orders', {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    })
    expect(res.statusCode).toBe(204)
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN)
    expect(res.headers['access-control-allow-methods']).toContain('POST')
    expect(res.headers['access-control-allow-headers']).toContain('idempotency-key')
    expect(res.headers.vary).toContain('Origin')
  })

  it('when another origin sends a preflight, then 403 CORS_ORIGIN_DENIED and no CORS grant', async () => {
    const res = await edge.inject('/api/orders', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(res.statusCode).toBe(403)
    expect(problemOf(res).code).toBe('CORS_ORIGIN_DENIED')
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('when an allowed origin reads, then the answer grants it and exposes the headers clients need', async () => {
    const res = await edge.inject('/api/categories', { headers: { origin: ALLOWED_ORIGIN } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN)
    expect(res.headers['access-control-expose-headers']).toContain('etag')
  })
})
