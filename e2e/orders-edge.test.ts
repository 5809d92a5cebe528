import { randomUUID } from 'node:crypto'
import { type EventBus, openEventBus } from '@microshop/chassis/internal'
import { eventually, publishEvent, silentLogger } from '@microshop/chassis/testing'
import { events as contracts } from '@microshop/contracts/events'
import { OrderStatus } from '@microshop/contracts/orders/v1/orders'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOpenApiChecker } from '../test-support/openapi.js'
import { type ServiceName, type Stack, startStack } from '../test-support/stack.js'

// The order edge of the gateway against the real services behind it; every response checked against the document.
const SERVICES: ServiceName[] = [
  'catalog',
  'identity',
  'cart',
  'inventory',
  'fraud',
  'payments',
  'shipping',
  'notifications',
  'orders',
  'gateway',
]
const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }
const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' }
const ADDRESS = {
  name: 'Ada Buyer',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
}
let stack: Stack
let bus: EventBus
let doc: { paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>> }
let openapi: ReturnType<typeof createOpenApiChecker>

const call = (
  path: string,
  init: { method?: string; token?: string; json?: unknown; headers?: Record<string, string> } = {},
) =>
  fetch(`${stack.base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...init.headers,
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
    signal: AbortSignal.timeout(15_000),
  })

/** Calls and checks the answer against the OpenAPI document; the body as parsed. */
async function checked<T>(
  method: string,
  route: string,
  path: string,
  init: Parameters<typeof call>[1] = {},
): Promise<{ res: Response; body: T }> {
  const res = await call(path, { ...init, method })
  const body = (await openapi.check(res.clone(), method, route)) as T
  return { res, body }
}

let users = 0
async function newUser() {
  const email = `buyer${++users}-${Date.now()}@example.com`
  const password = 'correct-horse-battery-9'
  expect(
    (await call('/api/auth/register', { method: 'POST', json: { email, password, name: `Buyer ${users}` } }))
      .status,
  ).toBe(201)
  const login = await call('/api/auth/login', { method: 'POST', json: { email, password } })
  return ((await login.json()) as { accessToken: string }).accessToken
}

async function adminToken() {
  const login = await call('/api/auth/login', { method: 'POST', json: ADMIN })
  expect(login.status).toBe(200)
  return ((await login.json()) as { accessToken: string }).accessToken
}

interface Accepted {
  orderId: string
  status: string
}

const placeOrder = (token: string, key: string, productId = 'enamel-camp-mug', quantity = 1) =>
  checked<Accepted>('POST', '/api/orders', '/api/orders', {
    token,
    headers: { 'idempotency-key': key },
    json: { lines: [{ productId, quantity }], shippingAddress: ADDRESS, payment: { card: CARD } },
  })

/** A new order of the user's, accepted. */
async function placed(token: string): Promise<Accepted> {
  const { res, body } = await placeOrder(token, randomUUID())
  expect(res.status, JSON.stringify(body)).toBe(202)
  return body
}

interface SseEvent {
  event: string
  id: string
  data: { orderId: string; status: string; reason: string; at: string }
}

/** An EventSource-like reader over fetch: the events as they come, and whether the server ended the stream. */
async function openStream(path: string, token?: string) {
  const abort = new AbortController()
  const res = await fetch(`${stack.base}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: abort.signal,
  })
  const events: SseEvent[] = []
  let comments = 0
  let ended = false
  const pump = (async () => {
    if (res.status !== 200 || !res.body) return
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true })
        let cut = buffer.indexOf('\n\n')
        while (cut >= 0) {
          const frame = buffer.slice(0, cut)
          buffer = buffer.slice(cut + 2)
          const fields = Object.fromEntries(
            frame
              .split('\n')
              .filter((l) => !l.startsWith(':'))
              .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
          )
          if (frame.startsWith(':')) comments++
          else
            events.push({
              event: fields.event ?? '',
              id: fields.id ?? '',
              data: JSON.parse(fields.data ?? '{}'),
            })
          cut = buffer.indexOf('\n\n')
        }
      }
      ended = true
    } catch {
      // aborted by the test
    }
  })()
  const happened = (done: () => boolean, what: string) =>
    eventually(
      () => {
        if (!done()) throw new Error(`stream: ${what} did not happen; events ${JSON.stringify(events)}`)
      },
      { timeoutMs: 10_000, everyMs: 20 },
    )
  return {
    res,
    events,
    comments: () => comments,
    ended: () => ended,
    waitFor: (n: number) => happened(() => events.length >= n, `${n} events`),
    waitForEnd: () => happened(() => ended, 'the end'),
    waitForHeartbeat: () => happened(() => comments > 0, 'a heartbeat'),
    async close() {
      abort.abort()
      await pump
    },
  }
}

const publishStatus = (orderId: string, status: OrderStatus, version: number, reason = '') =>
  publishEvent(bus, contracts.OrderStatusChanged, {
    orderId,
    userId: '',
    status,
    reason,
    at: new Date().toISOString(),
    version,
    total: undefined,
  })

beforeAll(async () => {
  stack = await startStack(SERVICES, {
    gateway: { GATEWAY_SSE_HEARTBEAT_MS: '200', GATEWAY_RATE_LIMIT_LOGIN: '1000' },
    // shipments wait, so a confirmed order stays cancellable while a test looks at it
    shipping: { SHIPPING_DISPATCH_AFTER_MS: '600000', SHIPPING_DELIVER_AFTER_MS: '1200000' },
  })
  bus = await openEventBus(stack.databases.bus!.url, { log: silentLogger })
  doc = (await (await fetch(`${stack.base}/api/openapi.json`)).json()) as typeof doc
  openapi = createOpenApiChecker(doc as never)
})

afterAll(async () => {
  await bus?.close()
  await stack?.close()
})

describe('placing an order', () => {
  it('when the Idempotency-Key header is missing, then 400 naming it, and no order is made', async () => {
    const token = await newUser()
    const { res, body } = await checked<{ code: string; errors: { field: string }[] }>(
      'POST',
      '/api/orders',
      '/api/orders',
      { token, json: { shippingAddress: ADDRESS, payment: { card: CARD } } },
    )
    expect(res.status).toBe(400)
    expect(body.errors.map((e) => e.field)).toContain('idempotency-key')
    const list = await checked<{ items: unknown[] }>('GET', '/api/orders', '/api/orders', { token })
    expect(list.body.items).toEqual([])
  })

  it('when an order is placed, then 202 with its Location; the same key replays the same body, another body gets 422', async () => {
    const token = await newUser()
    const key = randomUUID()
    const first = await placeOrder(token, key)
    expect(first.res.status, JSON.stringify(first.body)).toBe(202)
    expect(first.body.status).toBe('PENDING_PAYMENT')
    expect(first.res.headers.get('location')).toBe(`/api/orders/${first.body.orderId}`)

    const replay = await placeOrder(token, key)
    expect(replay.res.status).toBe(202)
    expect(replay.body).toEqual(first.body)
    expect(replay.res.headers.get('location')).toBe(first.res.headers.get('location'))

    const reused = await placeOrder(token, key, 'enamel-camp-mug', 2)
    expect(reused.res.status).toBe(422)
    expect((reused.body as unknown as { code: string }).code).toBe('ORDERS_IDEMPOTENCY_KEY_REUSED')

    const detail = await checked<{ id: string; lines: { productId: string; quantity: number }[] }>(
      'GET',
      '/api/orders/{id}',
      first.res.headers.get('location')!,
      { token },
    )
    expect(detail.res.status).toBe(200)
    expect(detail.body).toMatchObject({
      id: first.body.orderId,
      lines: [{ productId: 'enamel-camp-mug', quantity: 1 }],
    })
    const list = await checked<{ items: { id: string }[] }>('GET', '/api/orders', '/api/orders', { token })
    expect(list.body.items.map((o) => o.id)).toEqual([first.body.orderId])
  })

  it('when an order is placed without lines, then it takes the cart, and the cart empties itself on OrderCreated', async () => {
    const token = await newUser()
    await call('/api/cart/items', {
      method: 'POST',
      token,
      json: { productId: 'cork-yoga-mat', quantity: 2 },
    })
    const { res, body } = await checked<Accepted>('POST', '/api/orders', '/api/orders', {
      token,
      headers: { 'idempotency-key': randomUUID() },
      json: { shippingAddress: ADDRESS, payment: { card: CARD } },
    })
    expect(res.status, JSON.stringify(body)).toBe(202)
    const detail = await checked<{ lines: { productId: string; quantity: number }[] }>(
      'GET',
      '/api/orders/{id}',
      `/api/orders/${body.orderId}`,
      { token },
    )
    expect(detail.body.lines).toMatchObject([{ productId: 'cork-yoga-mat', quantity: 2 }])
    await eventually(
      async () => {
        const cart = (await checked<{ lines: unknown[] }>('GET', '/api/cart', '/api/cart', { token })).body
        expect(cart.lines).toEqual([])
      },
      { what: 'the cart emptied', timeoutMs: 10_000, everyMs: 100 },
    )
  })

  it('when the same key is sent twice at once, then one order: the other answer is its replay or 409 with Retry-After', async () => {
    const token = await newUser()
    const key = randomUUID()
    const answers = await Promise.all([placeOrder(token, key), placeOrder(token, key)])
    const accepted = answers.filter((a) => a.res.status === 202)
    expect(accepted.length).toBeGreaterThan(0)
    for (const a of answers)
      if (a.res.status === 202) expect(a.body).toEqual(accepted[0]!.body)
      else {
        expect(a.res.status).toBe(409)
        expect((a.body as unknown as { code: string }).code).toBe('ORDERS_IDEMPOTENCY_IN_FLIGHT')
        expect(Number(a.res.headers.get('retry-after'))).toBeGreaterThan(0)
      }
    const list = await checked<{ items: { id: string }[] }>('GET', '/api/orders', '/api/orders', { token })
    expect(list.body.items.map((o) => o.id)).toEqual([accepted[0]!.body.orderId])
  })

  it('when another user asks for an order, then 404 for its detail, its cancel and its stream', async () => {
    const owner = await newUser()
    const other = await newUser()
    const body = await placed(owner)
    for (const [method, route, path] of [
      ['GET', '/api/orders/{id}', `/api/orders/${body.orderId}`],
      ['POST', '/api/orders/{id}/cancel', `/api/orders/${body.orderId}/cancel`],
      ['GET', '/api/orders/{id}/events', `/api/orders/${body.orderId}/events`],
    ] as const) {
      const { res } = await checked(method, route, path, { token: other })
      expect(res.status, `${method} ${path}`).toBe(404)
      const anonymous = await checked(method, route, path)
      expect(anonymous.res.status, `${method} ${path}`).toBe(401)
    }
  })
})

describe('the live status of an order', () => {
  it('when the stream opens, then the status now comes first, a change on the bus follows, and a terminal status ends it', async () => {
    const token = await newUser()
    const body = await placed(token)
    // the saga confirms it (payments captures the test card); the stream opens after, so its first event is known
    await eventually(
      async () => {
        const now = await checked<{ status: string }>(
          'GET',
          '/api/orders/{id}',
          `/api/orders/${body.orderId}`,
          {
            token,
          },
        )
        expect(now.body.status).toBe('CONFIRMED')
      },
      { what: 'the order confirmed', timeoutMs: 10_000, everyMs: 100 },
    )
    // EventSource sends no headers: the token rides in the query
    const stream = await openStream(`/api/orders/${body.orderId}/events?access_token=${token}`)
    expect(stream.res.status).toBe(200)
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(doc.paths['/api/orders/{id}/events']!.get!.responses['200']!.content).toHaveProperty(
      'text/event-stream',
    )
    await stream.waitFor(1)
    expect(stream.events[0]).toMatchObject({
      event: 'status',
      data: { orderId: body.orderId, status: 'CONFIRMED' },
    })
    expect(Date.parse(stream.events[0]!.data.at)).not.toBeNaN()

    await stream.waitForHeartbeat()
    await publishStatus(body.orderId, OrderStatus.ORDER_STATUS_SHIPPED, 1_000)
    await stream.waitFor(2)
    expect(stream.events.at(-1)!.data).toMatchObject({ orderId: body.orderId, status: 'SHIPPED' })
    await publishStatus(body.orderId, OrderStatus.ORDER_STATUS_DELIVERED, 1_001)
    await stream.waitForEnd()
    expect(stream.events.map((e) => e.data.status)).toEqual(['CONFIRMED', 'SHIPPED', 'DELIVERED'])
    await stream.close()
  })

  it('when the owner cancels with the stream open, then the stream shows CANCELLED and ends', async () => {
    const token = await newUser()
    const body = await placed(token)
    const stream = await openStream(`/api/orders/${body.orderId}/events`, token)
    await stream.waitFor(1)
    const cancelled = await checked<{ status: string; cancelReason: string }>(
      'POST',
      '/api/orders/{id}/cancel',
      `/api/orders/${body.orderId}/cancel`,
      { token },
    )
    expect(cancelled.res.status).toBe(200)
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'customer_cancelled' })
    await stream.waitForEnd()
    expect(stream.events.at(-1)!.data).toMatchObject({ status: 'CANCELLED', reason: 'customer_cancelled' })
    expect(new Set(stream.events.map((e) => e.data.status)).size).toBe(stream.events.length)

    const again = await openStream(`/api/orders/${body.orderId}/events`, token)
    await again.waitForEnd()
    expect(again.events.map((e) => e.data.status)).toEqual(['CANCELLED'])
  })

  it('when the token is missing or another user’s, then the stream is refused before it starts', async () => {
    const owner = await newUser()
    const body = await placed(owner)
    const stranger = await newUser()
    const refused = await checked<{ code: string }>(
      'GET',
      '/api/orders/{id}/events',
      `/api/orders/${body.orderId}/events?access_token=${stranger}`,
    )
    expect(refused.res.status).toBe(404)
    const bogus = await call(`/api/orders/${body.orderId}/events?access_token=not-a-token`)
    expect(bogus.status).toBe(401)
    await openapi.check(bogus, 'GET', '/api/orders/{id}/events')
  })
})

describe('admin stock and sales', () => {
  it('when a customer or nobody calls them, then 403 and 401; an admin sets stock and reads sales', async () => {
    const customer = await newUser()
    const admin = await adminToken()
    const routes = [
      ['PUT', '/api/admin/stock/{productId}', '/api/admin/stock/brass-fountain-pen', { quantity: 7 }],
      ['GET', '/api/admin/sales', '/api/admin/sales', undefined],
    ] as const
    for (const [method, route, path, json] of routes) {
      expect((await checked(method, route, path, { token: customer, json })).res.status).toBe(403)
      expect((await checked(method, route, path, { json })).res.status).toBe(401)
    }
    const stock = await checked<{ productId: string; onHand: number; available: number }>(
      'PUT',
      '/api/admin/stock/{productId}',
      '/api/admin/stock/brass-fountain-pen',
      { token: admin, json: { quantity: 7 } },
    )
    expect(stock.res.status).toBe(200)
    expect(stock.body).toMatchObject({ productId: 'brass-fountain-pen', onHand: 7 })
    const sales = await checked<{ rows: unknown[] }>('GET', '/api/admin/sales', '/api/admin/sales', {
      token: admin,
    })
    expect(sales.res.status).toBe(200)
  })
})

describe('the caller’s messages', () => {
  it('when a user asks for messages, then only theirs come, as a list; without a token 401', async () => {
    const token = await newUser()
    const { res, body } = await checked<{ items: { to: string }[] }>(
      'GET',
      '/api/messages',
      '/api/messages',
      {
        token,
      },
    )
    expect(res.status).toBe(200)
    expect(body.items.every((m) => m.to.startsWith('buyer'))).toBe(true)
    expect((await checked('GET', '/api/messages', '/api/messages')).res.status).toBe(401)
  })
})

// last: these stop services of the stack
describe('the edge when services behind it are down', () => {
  it('when payments and shipping are stopped, then an order still reads, with payment and shipment null', async () => {
    const token = await newUser()
    const body = await placed(token)
    const read = () =>
      checked<{ id: string; payment: unknown; shipment: unknown }>(
        'GET',
        '/api/orders/{id}',
        `/api/orders/${body.orderId}`,
        { token },
      )
    await eventually(
      async () =>
        expect((await read()).body).toMatchObject({
          payment: { status: 'CAPTURED' },
          shipment: { status: 'CREATED' },
        }),
      { what: 'payment and shipment', timeoutMs: 10_000, everyMs: 100 },
    )
    await stack.stop('payments')
    await stack.stop('shipping')
    const detail = await read()
    expect(detail.res.status).toBe(200)
    expect(detail.body).toMatchObject({ id: body.orderId, payment: null, shipment: null })
  })

  it('when inventory is stopped, then a product page still answers, with availability null', async () => {
    const admin = await adminToken()
    await checked('PUT', '/api/admin/stock/{productId}', '/api/admin/stock/oak-wall-clock', {
      token: admin,
      json: { quantity: 4 },
    })
    const up = await checked<{ availability: unknown }>(
      'GET',
      '/api/products/{id}',
      '/api/products/oak-wall-clock',
    )
    expect(up.body.availability).toEqual({ available: 4, inStock: true })
    expect(up.res.headers.get('cache-control')).toMatch(/max-age=[1-5]\b/)

    await stack.stop('inventory')
    const down = await checked<{ id: string; availability: unknown }>(
      'GET',
      '/api/products/{id}',
      '/api/products/oak-wall-clock',
    )
    expect(down.res.status).toBe(200)
    expect(down.body).toMatchObject({ id: 'oak-wall-clock', availability: null })
    expect(down.res.headers.get('etag')).not.toBe(up.res.headers.get('etag'))
  })

  it('when orders is stopped, then its routes answer 503 with Retry-After, the stream included', async () => {
    const token = await newUser()
    await stack.stop('orders')
    for (const [method, route, path] of [
      ['GET', '/api/orders', '/api/orders'],
      ['GET', '/api/orders/{id}', '/api/orders/some-order'],
      ['GET', '/api/orders/{id}/events', '/api/orders/some-order/events'],
    ] as const) {
      const { res, body } = await checked<{ code: string }>(method, route, path, { token })
      expect(res.status, `${method} ${path}`).toBe(503)
      expect(res.headers.get('retry-after')).toBe('1')
      expect(body.code).toBe('UPSTREAM_UNAVAILABLE')
    }
  })
})
