import { randomUUID } from 'node:crypto'
import { waitFor } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../../test-support/stack.js'
import { type GatewayEdge, gatewayEdge, type ProblemBody } from './support.js'

// What a token opened ends with it, and a key identity drops stops verifying, without restarting the gateway.
const ACCESS_TTL_SECONDS = 5
const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' }
const ADDRESS = {
  name: 'Ada Buyer',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
}
let stack: Stack
let edge: GatewayEdge

beforeAll(async () => {
  stack = await startStack(
    ['catalog', 'identity', 'inventory', 'fraud', 'payments', 'shipping', 'orders', 'gateway'],
    {
      identity: { IDENTITY_ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TTL_SECONDS) },
      gateway: { GATEWAY_RATE_LIMIT_LOGIN: '1000', ACCESS_TOKEN_KEYS_REFRESH_SECONDS: '1' },
      // nothing moves past CONFIRMED while a stream is watched
      shipping: { SHIPPING_DISPATCH_AFTER_MS: '600000', SHIPPING_DELIVER_AFTER_MS: '1200000' },
    },
  )
  edge = await gatewayEdge(stack)
})

afterAll(async () => {
  await stack?.close()
})

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { exp: number }
const kidOf = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid

/** Reads a stream over real HTTP to its end: its text, and when the server ended it. */
async function readToEnd(path: string, token: string) {
  const res = await fetch(`${stack.base}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout((ACCESS_TTL_SECONDS + 20) * 1000),
  })
  expect(res.status).toBe(200)
  let text = ''
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return { text, endedAt: Date.now() }
    text += value
  }
}

describe('GET /api/orders/:id/events and the token it was opened with', () => {
  it('when the access token expires, then the server sends event: expired and ends the stream, and the token cannot reopen it', async () => {
    const token = await edge.newCustomer()
    const placed = await edge.inject('/api/orders', {
      method: 'POST',
      token,
      headers: { 'idempotency-key': randomUUID() },
      json: {
        lines: [{ productId: 'enamel-camp-mug', quantity: 1 }],
        shippingAddress: ADDRESS,
        payment: { card: CARD },
      },
    })
    expect(placed.statusCode, placed.body).toBe(202)
    const { orderId } = placed.json() as { orderId: string }

    const { text, endedAt } = await readToEnd(`/api/orders/${orderId}/events`, token)
    const expiresAt = claimsOf(token).exp * 1000
    // ended by the server at the token's expiry, not before, with its status sent first
    expect(endedAt).toBeGreaterThanOrEqual(expiresAt)
    expect(text).toMatch(/event: status\n[\s\S]*"status":"(PENDING_PAYMENT|CONFIRMED)"/)
    expect(text).toMatch(/event: expired\ndata: \{"code":"AUTH_TOKEN_EXPIRED","at":"[^"]+"\}\n\n$/)

    const again = await fetch(`${stack.base}/api/orders/${orderId}/events?access_token=${token}`)
    expect(again.status).toBe(401)
    expect(((await again.json()) as ProblemBody).code).toBe('AUTH_TOKEN_EXPIRED')
  })
})

describe('signing keys the gateway trusts', () => {
  it('when identity drops a signing key, then its tokens are refused without a gateway restart, and a token of the new key is accepted', async () => {
    const token = await edge.newCustomer()
    expect((await edge.inject('/api/me', { token })).statusCode).toBe(200)
    const removed = kidOf(token)
    // an operator withdraws a compromised key: identity signs with a new one from the next sign-in
    await stack.services.identity!.db!.query('delete from signing_keys where kid = $1', [removed])

    // the gateway's scheduled refresh drops it, long before the token would expire
    const refused = await waitFor(
      async () => {
        const res = await edge.inject('/api/me', { token })
        return res.statusCode === 200 ? undefined : res
      },
      {
        what: 'the gateway to refuse the removed key',
        timeoutMs: (ACCESS_TTL_SECONDS - 1) * 1000,
        everyMs: 100,
      },
    )
    expect(refused.statusCode).toBe(401)
    expect((refused.json() as ProblemBody).code).toBe('AUTH_TOKEN_INVALID')

    const fresh = await edge.newCustomer()
    expect(kidOf(fresh)).not.toBe(removed)
    // seen for the first time: the gateway fetches the key set on the unknown kid
    expect((await edge.inject('/api/me', { token: fresh })).statusCode).toBe(200)
    expect((await edge.inject('/api/me', { token })).statusCode).toBe(401)
  })
})
