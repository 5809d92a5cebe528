import { randomUUID } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOpenApiChecker } from '../test-support/openapi.js'
import { type Stack, startStack } from '../test-support/stack.js'

// OWASP API Security Top 10 (2023), the items that need the order path behind the gateway: API6, API7, API10
// (the others are in security.test.ts). Real services in-process, real gRPC, real PostgreSQL.
const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }
const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' }
const ADDRESS = {
  name: 'Ada Buyer',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
}
const MAX_PENDING = 2
const MAX_RESERVED_UNITS = 10
let stack: Stack
let openapi: ReturnType<typeof createOpenApiChecker>

const call = async (
  path: string,
  init: { method?: string; token?: string; json?: unknown; headers?: Record<string, string> } = {},
) => {
  const res = await fetch(`${stack.base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...init.headers,
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
    signal: AbortSignal.timeout(15_000),
  })
  const text = await res.text()
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
  }
}

let users = 0
async function newUser() {
  const email = `flows${++users}-${Date.now()}@example.com`
  const password = 'correct-horse-battery-9'
  expect(
    (await call('/api/auth/register', { method: 'POST', json: { email, password, name: `Buyer ${users}` } }))
      .status,
  ).toBe(201)
  const login = await call('/api/auth/login', { method: 'POST', json: { email, password } })
  expect(login.status).toBe(200)
  return login.body.accessToken as string
}

async function adminToken() {
  const login = await call('/api/auth/login', { method: 'POST', json: ADMIN })
  expect(login.status, login.text).toBe(200)
  return login.body.accessToken as string
}

const placeOrder = (token: string, lines: { productId: string; quantity: number }[], payment: unknown) =>
  call('/api/orders', {
    method: 'POST',
    token,
    headers: { 'idempotency-key': randomUUID() },
    json: { lines, shippingAddress: ADDRESS, payment },
  })

const reservationCount = async () =>
  Number(
    (await stack.services.inventory!.db!.query<{ n: string }>('select count(*)::int as n from reservations'))
      .rows[0]!.n,
  )

beforeAll(async () => {
  stack = await startStack(
    ['catalog', 'identity', 'cart', 'inventory', 'payments', 'shipping', 'orders', 'gateway'],
    {
      // a shared two-core machine can be slow: an upstream past the default 2 s would be a 503, not the point here
      gateway: { GATEWAY_RATE_LIMIT_LOGIN: '1000', GATEWAY_UPSTREAM_DEADLINE_MS: '10000' },
      orders: {
        ORDERS_MAX_PENDING_PER_USER: String(MAX_PENDING),
        ORDERS_MAX_RESERVED_UNITS_PER_USER: String(MAX_RESERVED_UNITS),
      },
      shipping: { SHIPPING_DISPATCH_AFTER_MS: '600000', SHIPPING_DELIVER_AFTER_MS: '1200000' },
    },
  )
  openapi = createOpenApiChecker((await (await fetch(`${stack.base}/api/openapi.json`)).json()) as never)
})

afterAll(async () => {
  await stack?.close()
})

describe('API6 unrestricted access to sensitive business flows', () => {
  it('when one buyer holds as many unpaid orders as allowed, then the next is 429 ORDERS_TOO_MANY_PENDING and nothing more is reserved; another buyer still checks out', async () => {
    const hoarder = await newUser()
    const other = await newUser()
    // tokens first, then payments goes away: the orders stay waiting for payment, as a hoarder's would
    const cards = await Promise.all(
      [hoarder, other].map(async (token) => {
        const res = await call('/api/payments/tokens', { method: 'POST', token, json: { card: CARD } })
        expect(res.status, res.text).toBe(201)
        return { token: res.body.token as string }
      }),
    )
    await stack.stop('payments')
    try {
      for (let i = 0; i < MAX_PENDING; i++) {
        const accepted = await placeOrder(hoarder, [{ productId: 'enamel-camp-mug', quantity: 1 }], cards[0])
        expect(accepted.status, accepted.text).toBe(202)
      }
      const reserved = await reservationCount()
      const refused = await placeOrder(hoarder, [{ productId: 'enamel-camp-mug', quantity: 1 }], cards[0])
      expect(refused.status).toBe(429)
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(refused.body.code).toBe('ORDERS_TOO_MANY_PENDING')
      expect(await reservationCount()).toBe(reserved)
      // the cap is per buyer: someone else is not held back by the hoarder
      expect(
        (await placeOrder(other, [{ productId: 'enamel-camp-mug', quantity: 1 }], cards[1])).status,
      ).toBe(202)
    } finally {
      await stack.start('payments')
    }
  })

  it('when one order would hold more units than a buyer may reserve, then 429 ORDERS_TOO_MANY_RESERVED_UNITS naming lines, and nothing is reserved', async () => {
    const buyer = await newUser()
    const reserved = await reservationCount()
    const res = await placeOrder(
      buyer,
      [
        { productId: 'enamel-camp-mug', quantity: MAX_RESERVED_UNITS },
        { productId: 'brass-fountain-pen', quantity: 1 },
      ],
      { card: CARD },
    )
    expect(res.status).toBe(429)
    const body = (await openapi.check(
      new Response(res.text, { status: res.status, headers: res.headers }),
      'POST',
      '/api/orders',
    )) as {
      code: string
      errors: { field: string }[]
    }
    expect(body.code).toBe('ORDERS_TOO_MANY_RESERVED_UNITS')
    expect(body.errors.map((e) => e.field)).toContain('lines')
    expect(await reservationCount()).toBe(reserved)
  })
})

/** A TCP listener on loopback that records every connection: a server-side fetch of a URL would show here. */
async function connectionTrap() {
  const connections: Socket[] = []
  const server = createServer((socket) => {
    connections.push(socket)
    socket.destroy()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { port, connections, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** Every .ts source file under dir, tests left out. */
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sources(path)
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : []
  })

describe('API7 server side request forgery', () => {
  // The one URL a client can hand the system is a product's imageUrl (admin only): the catalog stores it and
  // browsers load it; no service ever fetches it. The tests pin both halves: a URL to loopback, the metadata
  // address or another scheme is refused, and an https URL to a listener here is never connected to.
  it('when an admin gives an image URL to loopback, the metadata service or a non-https scheme, then 400 naming imageUrl', async () => {
    const admin = await adminToken()
    for (const imageUrl of [
      'http://127.0.0.1:9464/metrics',
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://localhost:5432/',
      'file:///etc/passwd',
      'gopher://127.0.0.1:6379/_FLUSHALL',
      '//169.254.169.254/latest',
    ]) {
      const res = await call('/api/admin/products', {
        method: 'POST',
        token: admin,
        json: { name: 'Probe', price: { amount: 100, currency: 'USD' }, category: 'kitchen', imageUrl },
      })
      expect(res.status, `${imageUrl}: ${res.text}`).toBe(400)
      expect(
        (res.body.errors as { field: string }[]).map((e) => e.field),
        imageUrl,
      ).toContain('imageUrl')
    }
  })

  it('when a product names an https image URL on a listener of ours, then every read of it through the edge answers and nothing ever connects there', async () => {
    const trap = await connectionTrap()
    try {
      const admin = await adminToken()
      const imageUrl = `https://127.0.0.1:${trap.port}/probe.svg`
      const created = await call('/api/admin/products', {
        method: 'POST',
        token: admin,
        json: { name: 'Trap Lamp', price: { amount: 1_500, currency: 'USD' }, category: 'kitchen', imageUrl },
      })
      expect(created.status, created.text).toBe(201)
      const id = created.body.id as string
      expect(
        (await call(`/api/admin/stock/${id}`, { method: 'PUT', token: admin, json: { quantity: 5 } })).status,
      ).toBe(200)
      const buyer = await newUser()
      // the reads that would fetch an image if anything did: detail, list, search, cart, an order of it
      const reads = [
        await call(`/api/products/${id}`),
        await call('/api/products?category=kitchen&pageSize=100'),
        await call('/api/search?q=trap'),
        await call('/api/cart/items', { method: 'POST', token: buyer, json: { productId: id, quantity: 1 } }),
        await placeOrder(buyer, [{ productId: id, quantity: 1 }], { card: CARD }),
      ]
      expect(reads.map((r) => r.status)).toEqual([200, 200, 200, 200, 202])
      expect(reads[0]!.body.imageUrl).toBe(imageUrl)
      expect(trap.connections).toHaveLength(0)
    } finally {
      await trap.close()
    }
  })

  it('when the services’ code is searched, then nothing but the telemetry exporter (to a configured endpoint) makes an outbound HTTP request', () => {
    const root = join(import.meta.dirname, '..')
    // the global fetch, not a method of that name (a JetStream consumer's fetch reads the event log)
    const outbound =
      /(?<!\.)\bfetch\((?!limit|\))|globalThis\.fetch\b|\bundici\b|\bhttps?\.(request|get)\(|\baxios\b/
    const makers = [
      ...readdirSync(join(root, 'services')).map((service) => join('services', service, 'src')),
      'packages/chassis/src',
    ]
      .flatMap((dir) => sources(join(root, dir)))
      .filter((file) => outbound.test(readFileSync(file, 'utf8')))
      .map((file) => file.slice(root.length + 1))
      .sort()
    // what the log and span exporters post with, to OTEL_EXPORTER_OTLP_ENDPOINT only
    expect(makers).toEqual(['packages/chassis/src/otlp-post.ts'])
  })
})

describe('API10 unsafe consumption of APIs', () => {
  it('when the catalog answers a negative price (a broken or hostile peer), then orders refuses the order, reserves nothing, and the good lines are not sold at a discount', async () => {
    const catalog = stack.services.catalog!.db!
    // what a compromised catalog could serve: its own check bypassed, a price below zero
    await catalog.query('alter table products drop constraint products_price_amount_check')
    await catalog.query(`update products set price_amount = -5000 where id = 'walnut-cutting-board'`)
    const buyer = await newUser()
    const reserved = await reservationCount()
    const res = await placeOrder(
      buyer,
      [
        { productId: 'walnut-cutting-board', quantity: 1 },
        { productId: 'enamel-camp-mug', quantity: 1 },
      ],
      { card: CARD },
    )
    expect(res.status).toBe(500)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(res.body.code).toBe('ORDERS_PEER_ANSWER_INVALID')
    expect(res.text).not.toMatch(/-5000|\bat .+\.(ts|js):\d+/)
    expect(await reservationCount()).toBe(reserved)
    const orders = await call('/api/orders', { token: buyer })
    expect(orders.body.items).toEqual([])
  })
})
