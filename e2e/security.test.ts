import { waitFor } from '@microshop/chassis/testing'
import { generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOpenApiChecker } from '../test-support/openapi.js'
import { type Stack, startStack } from '../test-support/stack.js'

// OWASP API Security Top 10 (2023), as tests against the real gateway, identity, cart and catalog.
const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }
const ACCESS_TTL_SECONDS = 4
let stack: Stack
let openapi: ReturnType<typeof createOpenApiChecker>
let doc: { paths: Record<string, Record<string, unknown>> }
const seenBodies: string[] = []

const call = async (path: string, init: RequestInit & { token?: string; json?: unknown } = {}) => {
  const headers = new Headers(init.headers)
  if (init.token) headers.set('authorization', `Bearer ${init.token}`)
  if (init.json !== undefined) headers.set('content-type', 'application/json')
  const res = await fetch(`${stack.base}${path}`, {
    ...init,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    signal: AbortSignal.timeout(10_000),
  })
  seenBodies.push(await res.clone().text())
  return res
}

let userCount = 0
async function newUser() {
  const email = `user${++userCount}-${Date.now()}@example.com`
  const password = 'correct-horse-battery-9'
  const reg = await call('/api/auth/register', {
    method: 'POST',
    json: { email, password, name: `User ${userCount}` },
  })
  expect(reg.status).toBe(201)
  const login = await call('/api/auth/login', { method: 'POST', json: { email, password } })
  expect(login.status).toBe(200)
  const tokens = (await login.json()) as { accessToken: string; refreshToken: string }
  const user = (await reg.json()) as { id: string }
  return { email, password, id: user.id, ...tokens }
}

async function adminToken() {
  const res = await call('/api/auth/login', { method: 'POST', json: ADMIN })
  expect(res.status).toBe(200)
  return ((await res.json()) as { accessToken: string }).accessToken
}

/** Documented operations as [method, path template]. */
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => [m.toUpperCase(), path] as const),
  )
const concrete = (path: string, id: string) => path.replace(/\{[^}]+\}/g, id)

beforeAll(async () => {
  stack = await startStack(['catalog', 'identity', 'cart', 'gateway'], {
    identity: { IDENTITY_ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TTL_SECONDS) },
    // account lockout is identity's; the gateway's per-address login limit is left wide for the many sign-ins here
    gateway: {
      GATEWAY_RATE_LIMIT_LOGIN: '1000',
      GATEWAY_RATE_LIMIT_ANONYMOUS: '400',
      GATEWAY_BODY_LIMIT_BYTES: '16384',
    },
  })
  doc = (await (await fetch(`${stack.base}/api/openapi.json`)).json()) as typeof doc
  openapi = createOpenApiChecker(doc as never)
})

afterAll(async () => {
  await stack?.close()
})

describe('API1 broken object level authorization', () => {
  it('when user A acts on every cart and profile route, then B’s cart and profile are untouched and never shown', async () => {
    const a = await newUser()
    const b = await newUser()
    expect(
      (
        await call('/api/cart/items', {
          method: 'POST',
          token: b.accessToken,
          json: { productId: 'brass-fountain-pen', quantity: 2 },
        })
      ).status,
    ).toBe(200)
    await call('/api/me', { method: 'PATCH', token: b.accessToken, json: { name: 'Bee Private' } })
    const before = await (await call('/api/cart', { token: b.accessToken })).json()

    for (const [method, path] of operations()) {
      if (!/^\/api\/(cart|me)/.test(path)) continue
      const url = concrete(path, 'brass-fountain-pen')
      const json = method === 'GET' || method === 'DELETE' ? undefined : { quantity: 5, name: 'Mallory' }
      const res = await call(url, { method, token: a.accessToken, json })
      const text = await res.text()
      expect(text, `${method} ${url}`).not.toContain(b.email)
      expect(text, `${method} ${url}`).not.toContain('Bee Private')
      expect(text, `${method} ${url}`).not.toContain(b.id)
    }
    const after = await (await call('/api/cart', { token: b.accessToken })).json()
    expect(after).toEqual(before)
    expect(((await (await call('/api/me', { token: b.accessToken })).json()) as { name: string }).name).toBe(
      'Bee Private',
    )
  })

  it('when A presents B’s anonymous cart token after B signed in and merged it, then A gets nothing of B', async () => {
    const anon = await call('/api/cart/items', {
      method: 'POST',
      json: { productId: 'enamel-camp-mug', quantity: 1 },
    })
    const cartToken = anon.headers.get('x-cart-token')!
    expect(cartToken).toBeTruthy()
    const b = await newUser()
    const login = await call('/api/auth/login', {
      method: 'POST',
      headers: { 'x-cart-token': cartToken },
      json: { email: b.email, password: b.password },
    })
    expect(login.status).toBe(200)
    const a = await newUser()
    const stolen = (await (
      await call('/api/cart', { token: a.accessToken, headers: { 'x-cart-token': cartToken } })
    ).json()) as {
      lines: unknown[]
    }
    expect(stolen.lines).toEqual([])
  })
})

describe('API2 broken authentication', () => {
  const tamper = (token: string) => {
    const [h, p, s] = token.split('.')
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString())
    payload.roles = ['admin']
    return [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.')
  }

  it('when a token is tampered, unsigned (alg none), or signed by another key, then 401', async () => {
    const u = await newUser()
    const [header] = u.accessToken.split('.')
    const kid = JSON.parse(Buffer.from(header!, 'base64url').toString()).kid
    const none = [
      Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid })).toString('base64url'),
      u.accessToken.split('.')[1],
      '',
    ].join('.')
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
    const foreign = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid })
      .setSubject(u.id)
      .setIssuer('microshop-identity')
      .setAudience('microshop')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey)
    for (const token of [tamper(u.accessToken), none, foreign, 'not-a-jwt']) {
      const res = await call('/api/me', { token })
      expect(res.status).toBe(401)
      expect(((await res.json()) as { code: string }).code).toMatch(/^AUTH_TOKEN_INVALID$/)
    }
  })

  it('when an access token expires, then 401 AUTH_TOKEN_EXPIRED, and a refresh gives a working one', async () => {
    const u = await newUser()
    // the state to wait for is the refusal itself: the token works until it expires
    const res = await waitFor(
      async () => {
        const me = await call('/api/me', { token: u.accessToken })
        if (me.status !== 200) return me
        await me.body?.cancel()
      },
      { what: 'the access token expired', timeoutMs: (ACCESS_TTL_SECONDS + 10) * 1000, everyMs: 200 },
    )
    expect(res.status).toBe(401)
    expect(((await res.json()) as { code: string }).code).toBe('AUTH_TOKEN_EXPIRED')
    const refreshed = await call('/api/auth/refresh', {
      method: 'POST',
      json: { refreshToken: u.refreshToken },
    })
    expect(refreshed.status).toBe(200)
    const tokens = (await refreshed.json()) as { accessToken: string }
    expect((await call('/api/me', { token: tokens.accessToken })).status).toBe(200)
  })

  it('when a refresh token is revoked by logout or reused after rotation, then it is refused', async () => {
    const u = await newUser()
    const rotated = await call('/api/auth/refresh', {
      method: 'POST',
      json: { refreshToken: u.refreshToken },
    })
    const { refreshToken: second } = (await rotated.json()) as { refreshToken: string }
    const reuse = await call('/api/auth/refresh', { method: 'POST', json: { refreshToken: u.refreshToken } })
    expect(reuse.status).toBe(401)
    // reuse revoked the whole family: the newest token is dead too
    expect((await call('/api/auth/refresh', { method: 'POST', json: { refreshToken: second } })).status).toBe(
      401,
    )

    const v = await newUser()
    expect(
      (await call('/api/auth/logout', { method: 'POST', json: { refreshToken: v.refreshToken } })).status,
    ).toBe(204)
    expect(
      (await call('/api/auth/refresh', { method: 'POST', json: { refreshToken: v.refreshToken } })).status,
    ).toBe(401)
  })

  it('when someone guesses passwords, then 429 with a Retry-After of at most a minute, and after it the right password signs in', async () => {
    const u = await newUser()
    const statuses: number[] = []
    let retryAfter: string | null = null
    for (let i = 0; i < 12; i++) {
      const res = await call('/api/auth/login', {
        method: 'POST',
        json: { email: u.email, password: `wrong-${i}` },
      })
      statuses.push(res.status)
      if (res.status === 429) retryAfter = res.headers.get('retry-after')
    }
    expect(statuses).toContain(401)
    expect(statuses.at(-1)).toBe(429)
    // a delay that grows with the failures, capped at a minute: never a lockout imposed on the owner
    expect(Number(retryAfter)).toBeGreaterThan(0)
    expect(Number(retryAfter)).toBeLessThanOrEqual(60)
    const right = () =>
      call('/api/auth/login', { method: 'POST', json: { email: u.email, password: u.password } })
    // asking while the wait lasts is refused unread and does not lengthen it
    await waitFor(async () => (await right()).status === 200, { timeoutMs: 10_000, what: 'the wait ended' })
  })

  it('when someone signs up with a taken email, then the answer is the same as for a new one: no enumeration', async () => {
    const u = await newUser()
    const again = await call('/api/auth/register', {
      method: 'POST',
      json: { email: u.email, password: 'another-horse-battery-8', name: 'Mallory' },
    })
    expect(again.status).toBe(201)
    const body = (await openapi.check(again, 'POST', '/api/auth/register')) as Record<string, unknown>
    expect(body).toMatchObject({ email: u.email, name: 'Mallory', roles: ['customer'] })
    expect(body.id).not.toBe(u.id)
    // the owner's account is as it was
    const login = await call('/api/auth/login', {
      method: 'POST',
      json: { email: u.email, password: u.password },
    })
    expect(login.status).toBe(200)
  })
})

describe('API3 broken object property level authorization', () => {
  it('when register carries a role, then it is rejected naming the field', async () => {
    const res = await call('/api/auth/register', {
      method: 'POST',
      json: {
        email: `mallory-${Date.now()}@example.com`,
        password: 'correct-horse-battery-9',
        name: 'M',
        role: 'admin',
      },
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(
      'role',
    )
  })

  it('when a cart add carries a price, then it is rejected naming the field', async () => {
    const res = await call('/api/cart/items', {
      method: 'POST',
      json: { productId: 'brass-fountain-pen', quantity: 1, price: { amount: 1, currency: 'USD' } },
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(
      'price',
    )
  })

  it('when any response so far is searched, then no hash, secret or private key field appears', () => {
    expect(seenBodies.length).toBeGreaterThan(20)
    // keys only: a user may well be named "Private", and messages may say "password"
    const secretKey = /"(password\w*|\w*hash\w*|private\w*|secret\w*|d|salt|argon\w*)"\s*:/i
    for (const body of seenBodies) expect(body).not.toMatch(secretKey)
    expect(seenBodies.some((b) => b.includes('"refreshToken"'))).toBe(true)
  })
})

describe('API4 unrestricted resource consumption', () => {
  it('when a body is larger than the limit, then 413 problem+json', async () => {
    const res = await call('/api/auth/register', {
      method: 'POST',
      json: { email: 'big@example.com', password: 'x'.repeat(20_000), name: 'Big' },
    })
    expect(res.status).toBe(413)
    expect(((await res.json()) as { code: string }).code).toBe('BODY_TOO_LARGE')
  })

  it('when a page size of 10^9 is asked, then the page is clamped', async () => {
    const res = await call('/api/products?pageSize=1000000000')
    expect(res.status).toBe(200)
    expect(((await res.json()) as { items: unknown[] }).items.length).toBeLessThanOrEqual(100)
  })
})

describe('API5 broken function level authorization', () => {
  it('when a customer calls every admin route, then 403; without a token, 401; an admin gets through', async () => {
    const u = await newUser()
    const adminOps = operations().filter(([, path]) => path.startsWith('/api/admin'))
    expect(adminOps.length).toBeGreaterThan(0)
    const product = { name: 'Forbidden Fruit', price: { amount: 100, currency: 'USD' }, category: 'kitchen' }
    for (const [method, path] of adminOps) {
      const url = concrete(path, 'forbidden-fruit')
      const json = method === 'GET' ? undefined : product
      expect((await call(url, { method, token: u.accessToken, json })).status, `${method} ${url}`).toBe(403)
      expect((await call(url, { method, json })).status, `${method} ${url}`).toBe(401)
    }
    const admin = await adminToken()
    const created = await call('/api/admin/products', { method: 'POST', token: admin, json: product })
    expect(created.status).toBe(201)
    await openapi.check(created, 'POST', '/api/admin/products')
  })
})

describe('API8 security misconfiguration', () => {
  it('when any documented route answers, then the security headers are there and no stack trace leaks', async () => {
    for (const [method, path] of operations()) {
      const res = await call(concrete(path, "x'--"), {
        method,
        json: method === 'GET' ? undefined : { bogus: true },
      })
      expect(res.headers.get('x-content-type-options'), `${method} ${path}`).toBe('nosniff')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
      expect(res.headers.get('x-request-id')).toBeTruthy()
      expect(await res.text()).not.toMatch(/\bat .+\.(ts|js):\d+|node_modules|Error:/)
    }
  })

  it('when an unknown origin asks, then CORS denies it; an allowed origin is let in', async () => {
    const preflight = await call('/api/cart', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBe(403)
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
    const simple = await call('/api/products', { headers: { origin: 'https://evil.example' } })
    expect(simple.headers.get('access-control-allow-origin')).toBeNull()
    const allowed = await call('/api/cart', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    })
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
  })
})

describe('API9 improper inventory management', () => {
  it('when the routes are listed, then every registered route is documented and every documented route exists', () => {
    const registered = stack.services.gateway!.http!.routeTable.filter(
      (r) => !r.hidden && r.method !== 'HEAD',
    )
    const documented = new Set(operations().map(([m, p]) => `${m} ${p}`))
    const asOpenApi = (url: string) => url.replace(/:(\w+)/g, '{$1}')
    const registeredSet = new Set(registered.map((r) => `${r.method} ${asOpenApi(r.url)}`))
    expect([...registeredSet].filter((r) => !documented.has(r))).toEqual([])
    expect([...documented].filter((d) => !registeredSet.has(d))).toEqual([])
  })
})

// last: it spends this address's anonymous allowance for the rest of the window
describe('API4 flood', () => {
  it('when one address floods the API, then it gets 429 with Retry-After and RateLimit headers', async () => {
    const results: Response[] = []
    for (let batch = 0; batch < 10; batch++)
      results.push(...(await Promise.all(Array.from({ length: 50 }, () => call('/api/categories')))))
    const limited = results.filter((r) => r.status === 429)
    expect(limited.length).toBeGreaterThan(0)
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(400)
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(limited[0]!.headers.get('ratelimit-remaining')).toBe('0')
    expect(((await limited[0]!.json()) as { code: string }).code).toBe('RATE_LIMITED')
  })
})
