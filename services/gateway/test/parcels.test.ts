import { randomUUID } from 'node:crypto'
import { waitFor } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../../test-support/stack.js'
import { fieldsOf, type GatewayEdge, gatewayEdge, type ProblemBody } from './support.js'

// A cart over 30 kg at the edge: quoted as parcels, charged for them, shipped as one shipment per parcel,
// SHIPPED with the first and DELIVERED with the last.
const DUMBBELLS = 'adjustable-dumbbells-pair'
const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' }
const ADDRESS = {
  name: 'Ada Lifter',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
}
const HEAVY = [{ productId: DUMBBELLS, quantity: 2 }]

interface Quote {
  cost: { amount: number; currency: string }
  carrier: string
  estimatedDays: number
  parcels: { number: number; weightGrams: number; cost: { amount: number }; estimatedDays: number }[]
}
interface Shipment {
  id: string
  parcelNumber: number
  parcelCount: number
  status: string
  trackingNumber: string
  weightGrams: number
  deliveredAt?: string
}
interface OrderDetail {
  status: string
  shipping: { amount: number }
  history: { status: string; at: string }[]
  shipment: Shipment | null
  shipments: Shipment[]
}

let stack: Stack
let edge: GatewayEdge

beforeAll(async () => {
  stack = await startStack(
    ['catalog', 'identity', 'cart', 'inventory', 'fraud', 'payments', 'shipping', 'orders', 'gateway'],
    {
      gateway: { GATEWAY_RATE_LIMIT_LOGIN: '1000' },
      // the carrier 20x faster: parcels leave half a second after the confirmation, arrive a second after it
      shipping: { SHIPPING_TIME_SCALE: '0.05', SHIPPING_TICK_MS: '50' },
    },
  )
  edge = await gatewayEdge(stack)
  await waitFor(
    async () =>
      (((await edge.inject(`/api/products/${DUMBBELLS}`)).json() as { availability?: { available: number } })
        .availability?.available ?? 0) >= 2,
    { what: 'stock seeded', timeoutMs: 30_000 },
  )
})

afterAll(async () => {
  await stack?.close()
})

const quote = (json: unknown, headers: Record<string, string> = {}) =>
  edge.checked<Quote & ProblemBody>('/api/shipping/quote', '/api/shipping/quote', {
    method: 'POST',
    json,
    headers,
  })

describe('POST /api/shipping/quote', () => {
  it('when two pairs of dumbbells (49 kg) are priced, then they are two parcels, each priced, the cost their sum', async () => {
    const { res, body } = await quote({ country: 'US', lines: HEAVY })
    expect(res.statusCode, res.body).toBe(200)
    expect(body.parcels.map((p) => [p.number, p.weightGrams])).toEqual([
      [1, 24_500],
      [2, 24_500],
    ])
    expect(body.cost.amount).toBe(body.parcels.reduce((sum, p) => sum + p.cost.amount, 0))
    expect(body.carrier).toBe('Microshop Ground')
  })

  it('when an anonymous cart is priced by its token, then its lines are; an empty cart is refused', async () => {
    const added = await edge.inject('/api/cart/items', {
      method: 'POST',
      json: { productId: DUMBBELLS, quantity: 2 },
    })
    const cartToken = String(added.headers['x-cart-token'])
    const { body } = await quote({ country: 'DE' }, { 'x-cart-token': cartToken })
    expect(body.parcels).toHaveLength(2)
    expect(body.carrier).toBe('Microshop Global Express')
    const empty = await quote({ country: 'US' })
    expect(empty.res.statusCode).toBe(400)
    expect(empty.body.code).toBe('SHIPPING_NOTHING_TO_SHIP')
  })

  it('when the order would need more than 10 parcels, then 400 SHIPPING_TOO_HEAVY', async () => {
    const { res, body } = await quote({ country: 'US', lines: [{ productId: DUMBBELLS, quantity: 11 }] })
    expect(res.statusCode).toBe(400)
    expect(body.code).toBe('SHIPPING_TOO_HEAVY')
    expect(body.detail).toMatch(/at most 10 parcels/)
    expect(fieldsOf(body)).toEqual(['lines'])
    const bad = await quote({ country: 'Atlantis', lines: HEAVY })
    expect(fieldsOf(bad.body)).toEqual(['country'])
  })
})

describe('an item heavier than any parcel may be', () => {
  it('when it is priced or ordered, then 400 SHIPPING_TOO_HEAVY names its line, and no order is placed', async () => {
    const admin = await edge.adminToken()
    const created = await edge.inject('/api/admin/products', {
      method: 'POST',
      token: admin,
      json: {
        name: 'Parcels Test Anvil',
        price: { amount: 9_900, currency: 'USD' },
        category: 'fitness',
        weightGrams: 31_000,
      },
    })
    expect(created.statusCode, created.body).toBe(201)
    const lines = [
      { productId: 'enamel-camp-mug', quantity: 1 },
      { productId: (created.json() as { id: string }).id, quantity: 1 },
    ]

    const quoted = await quote({ country: 'US', lines })
    expect(quoted.res.statusCode).toBe(400)
    expect(quoted.body.code).toBe('SHIPPING_TOO_HEAVY')
    expect(quoted.body.detail).toMatch(/over 30 kg/)
    expect(fieldsOf(quoted.body)).toEqual(['lines[1].productId'])

    const token = await edge.newCustomer()
    const placed = await edge.checked<ProblemBody>('/api/orders', '/api/orders', {
      method: 'POST',
      token,
      headers: { 'idempotency-key': randomUUID() },
      json: { lines, shippingAddress: ADDRESS, payment: { card: CARD } },
    })
    expect(placed.res.statusCode, placed.res.body).toBe(400)
    expect(placed.body.code).toBe('SHIPPING_TOO_HEAVY')
    expect(fieldsOf(placed.body)).toEqual(['lines[1].productId'])
    const mine = await edge.checked<{ items: unknown[] }>('/api/orders', '/api/orders', { token })
    expect(mine.body.items).toEqual([])
  })
})

describe('a heavy order', () => {
  it('when it is paid, then it ships as one shipment per parcel, and is DELIVERED only once the last parcel arrives', async () => {
    const token = await edge.newCustomer()
    const { body: quoted } = await quote({ country: 'US', lines: HEAVY })
    const placed = await edge.checked<{ orderId: string } & ProblemBody>('/api/orders', '/api/orders', {
      method: 'POST',
      token,
      headers: { 'idempotency-key': randomUUID() },
      json: { lines: HEAVY, shippingAddress: ADDRESS, payment: { card: CARD } },
    })
    expect(placed.res.statusCode, placed.res.body).toBe(202)
    const path = `/api/orders/${placed.body.orderId}`

    const order = await waitFor(
      async () => {
        const { body } = await edge.checked<OrderDetail>('/api/orders/{id}', path, { token })
        return body.status === 'DELIVERED' ? body : undefined
      },
      { what: 'the order delivered', timeoutMs: 30_000 },
    )
    expect(order.shipping.amount).toBe(quoted.cost.amount)
    expect(order.history.map((h) => h.status)).toEqual([
      'PENDING_PAYMENT',
      'CONFIRMED',
      'SHIPPED',
      'DELIVERED',
    ])
    expect(order.shipments.map((s) => [s.parcelNumber, s.parcelCount, s.weightGrams, s.status])).toEqual([
      [1, 2, 24_500, 'DELIVERED'],
      [2, 2, 24_500, 'DELIVERED'],
    ])
    expect(new Set(order.shipments.map((s) => s.trackingNumber)).size).toBe(2)
    // the field of before parcels stays: the first parcel
    expect(order.shipment?.id).toBe(order.shipments[0]?.id)
    const lastArrival = Math.max(...order.shipments.map((s) => Date.parse(s.deliveredAt ?? '')))
    expect(Date.parse(order.history.at(-1)?.at ?? '')).toBeGreaterThanOrEqual(lastArrival)
  })
})
