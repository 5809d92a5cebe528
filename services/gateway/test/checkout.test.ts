import { randomUUID } from 'node:crypto'
import { waitFor } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../../test-support/stack.js'
import { fieldsOf, type GatewayEdge, gatewayEdge, type ProblemBody } from './support.js'

// Client-side tokenisation and the checkout that uses it, at the edge: the gateway through inject, the real
// services behind it (one stack for both: starting one costs seconds).
const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' }
const ADDRESS = {
  name: 'Ada Buyer',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
}
const LINES = [{ productId: 'enamel-camp-mug', quantity: 1 }]
let stack: Stack
let edge: GatewayEdge

beforeAll(async () => {
  stack = await startStack(
    ['catalog', 'identity', 'inventory', 'fraud', 'payments', 'shipping', 'orders', 'gateway'],
    {
      gateway: {
        GATEWAY_RATE_LIMIT_LOGIN: '1000',
        GATEWAY_SSE_MAX_PER_USER: '2',
        GATEWAY_SSE_MAX_TOTAL: '4',
      },
      // shipments wait: nothing moves on by itself while a test looks at an order
      shipping: { SHIPPING_DISPATCH_AFTER_MS: '600000', SHIPPING_DELIVER_AFTER_MS: '1200000' },
    },
  )
  edge = await gatewayEdge(stack)
})

afterAll(async () => {
  await stack?.close()
})

interface CardToken {
  token: string
  brand: string
  last4: string
}

const tokenize = (token: string | undefined, card: unknown) =>
  edge.checked<CardToken & ProblemBody>('/api/payments/tokens', '/api/payments/tokens', {
    method: 'POST',
    token,
    json: { card },
  })

const placeOrder = (token: string, payment: unknown, key = randomUUID()) =>
  edge.checked<{ orderId: string; status: string } & ProblemBody>('/api/orders', '/api/orders', {
    method: 'POST',
    token,
    headers: { 'idempotency-key': key },
    json: { lines: LINES, shippingAddress: ADDRESS, payment },
  })

describe('POST /api/orders with payment.token', () => {
  it('when a customer pays with a token made first, then the order is accepted (202)', async () => {
    const customer = await edge.newCustomer()
    const { body: card } = await tokenize(customer, CARD)
    const { res, body } = await placeOrder(customer, { token: card.token })
    expect(res.statusCode, res.body).toBe(202)
    expect(body.status).toBe('PENDING_PAYMENT')
    expect(res.headers.location).toBe(`/api/orders/${body.orderId}`)
  })

  it('when payment names both a card and a token, or neither, then 400 naming payment', async () => {
    const customer = await edge.newCustomer()
    const { body: card } = await tokenize(customer, CARD)
    for (const payment of [{ card: CARD, token: card.token }, {}]) {
      const { res, body } = await placeOrder(customer, payment)
      expect(res.statusCode, res.body).toBe(400)
      expect(fieldsOf(body)).toContain('payment')
    }
  })

  it('when paid by card as before, then the order is accepted (202)', async () => {
    const { res, body } = await placeOrder(await edge.newCustomer(), { card: CARD })
    expect(res.statusCode, res.body).toBe(202)
    expect(body.status).toBe('PENDING_PAYMENT')
  })

  it('when payments is down, then an order paid with an earlier token is accepted, and its stream confirms it once payments is back', async () => {
    const customer = await edge.newCustomer()
    const { body: card } = await tokenize(customer, CARD)
    await stack.stop('payments')
    let stream: Awaited<ReturnType<typeof openStream>> | undefined
    try {
      const { res, body } = await placeOrder(customer, { token: card.token })
      expect(res.statusCode, res.body).toBe(202)
      expect(body.status).toBe('PENDING_PAYMENT')
      stream = await openStream(`/api/orders/${body.orderId}/events`, customer)
      await waitFor(() => stream?.text().includes('"status":"PENDING_PAYMENT"'))
    } finally {
      await stack.start('payments')
    }
    // payments charges the order it missed; the status change reaches the stream through the bus
    await waitFor(() => stream.text().includes('"status":"CONFIRMED"'))
    await stream.close()
  })
})

describe('GET /api/orders/:id/events, capped', () => {
  const orderOf = async (customer: string) => (await placeOrder(customer, { card: CARD })).body.orderId

  it('when a user has two streams open, then a third is 429 for them, others open theirs up to the total', async () => {
    const [ann, bob, cat] = [await edge.newCustomer(), await edge.newCustomer(), await edge.newCustomer()]
    const [annOrder, bobOrder, catOrder] = [await orderOf(ann), await orderOf(bob), await orderOf(cat)]
    const open = [
      await openStream(`/api/orders/${annOrder}/events`, ann),
      await openStream(`/api/orders/${annOrder}/events`, ann),
    ]
    try {
      const third = await fetch(`${stack.base}/api/orders/${annOrder}/events`, {
        headers: { authorization: `Bearer ${ann}` },
      })
      expect(third.status).toBe(429)
      expect(third.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(((await third.json()) as ProblemBody).code).toBe('SSE_TOO_MANY_STREAMS')

      open.push(await openStream(`/api/orders/${bobOrder}/events`, bob))
      open.push(await openStream(`/api/orders/${bobOrder}/events`, bob))
      const full = await fetch(`${stack.base}/api/orders/${catOrder}/events`, {
        headers: { authorization: `Bearer ${cat}` },
      })
      expect(full.status).toBe(429)
      expect(((await full.json()) as ProblemBody).code).toBe('SSE_CAPACITY_REACHED')

      // a closed stream gives its slot back
      await open.shift()?.close()
      const again = await waitFor(async () => {
        const res = await fetch(`${stack.base}/api/orders/${catOrder}/events`, {
          headers: { authorization: `Bearer ${cat}` },
        })
        if (res.status === 200) return res
        await res.body?.cancel()
        return undefined
      })
      await again.body?.cancel()
    } finally {
      for (const stream of open) await stream.close()
    }
  })
})

/** An SSE stream over real HTTP (inject waits for the end of a response, a live stream has none). */
async function openStream(path: string, token: string) {
  const abort = new AbortController()
  const res = await fetch(`${stack.base}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  })
  expect(res.status).toBe(200)
  let text = ''
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      text += value
    }
  })().catch(() => undefined)
  return {
    text: () => text,
    async close() {
      abort.abort()
      await pump
    },
  }
}

describe('POST /api/payments/tokens', () => {
  it('when a signed-out client tokenises a card, then 401 and no token', async () => {
    const { res, body } = await tokenize(undefined, CARD)
    expect(res.statusCode).toBe(401)
    expect(body.code).toBe('AUTH_REQUIRED')
  })

  it('when a customer tokenises a good card, then 201 with a token, the brand and the last four digits', async () => {
    const { res, body } = await tokenize(await edge.newCustomer(), CARD)
    expect(res.statusCode, res.body).toBe(201)
    expect(body).toEqual({ token: expect.any(String), brand: expect.any(String), last4: '4242' })
    expect(body.token).not.toContain('4242424242424242')
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it('when the card does not check out with payments, then 400 naming its fields under card.*', async () => {
    const { res, body } = await tokenize(await edge.newCustomer(), {
      ...CARD,
      number: '4242424242424241',
      expYear: 2001,
    })
    expect(res.statusCode, res.body).toBe(400)
    expect(fieldsOf(body)).toEqual(expect.arrayContaining(['card.number', 'card.expYear']))
    expect(fieldsOf(body).every((f) => f.startsWith('card.'))).toBe(true)
  })

  it('when the card breaks the schema, then 400 naming the field before payments is asked', async () => {
    const { res, body } = await tokenize(await edge.newCustomer(), { ...CARD, cvc: 'abc', extra: 1 })
    expect(res.statusCode).toBe(400)
    expect(fieldsOf(body)).toEqual(expect.arrayContaining(['card.cvc', 'card.extra']))
  })
})
