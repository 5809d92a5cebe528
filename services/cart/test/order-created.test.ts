import type { CallOptions } from '@microshop/chassis'
import { type EventBus, openEventBus } from '@microshop/chassis/internal'
import { eventually, inboxRecorded, publishEvent, silentLogger, waitFor } from '@microshop/chassis/testing'
import { events } from '@microshop/contracts/events'
import type { OrderCreated } from '@microshop/contracts/orders/v1/events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CartWithCatalog, startCartWithCatalog } from '../../../test-support/cart-service.js'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { createProducts, quantities } from './fixtures.js'

// OrderCreated travels on the real event log, as orders' outbox relay would publish it.
const GROUP = 'cart-order-created'
let env: CartWithCatalog
let busDb: TestDatabase
let bus: EventBus
let products: string[]
let orders = 0
const client = () => env.cart.client

async function signedUp(): Promise<{ userId: string; as: CallOptions }> {
  const email = `cart-orderer.${Date.now()}@example.com`
  const identity = env.identity!.client
  await identity.call('register', { email, password: 'correct-horse-battery-9', name: 'Orderer' })
  const { tokens, user } = await identity.call('login', { email, password: 'correct-horse-battery-9' })
  return { userId: user!.id, as: { authorization: `Bearer ${tokens!.accessToken}` } }
}

const orderCreated = (userId: string, lines: [string, number][], createdAt: string): OrderCreated => ({
  orderId: `order-${++orders}-${Date.now()}`,
  userId,
  email: 'orderer@example.com',
  lines: lines.map(([productId, quantity]) => ({
    productId,
    name: productId,
    quantity,
    unitPrice: { amount: 1_000, currency: 'USD' },
    lineTotal: { amount: 1_000 * quantity, currency: 'USD' },
    weightGrams: 100,
  })),
  total: { amount: 0, currency: 'USD' },
  shippingAddress: undefined,
  paymentToken: 'tok',
  reservationId: 'res',
  reservationExpiresAt: '',
  createdAt,
})

/** Publishes the order and waits until the cart has handled that delivery (its inbox holds it). */
async function delivered(order: OrderCreated) {
  const event = await publishEvent(bus, events.OrderCreated, order)
  await waitFor(() => inboxRecorded(env.cart.service.db!, GROUP, event.id), {
    what: `the cart to handle ${event.id}`,
  })
}

beforeAll(async () => {
  busDb = await createTestDatabase('cart_bus')
  env = await startCartWithCatalog({ BUS_URL: busDb.url }, { identity: true })
  bus = await openEventBus(busDb.url, { log: silentLogger })
  products = await createProducts(env.catalog, 'ordered', 3)
})
afterAll(async () => {
  await bus?.close()
  await env?.stop()
  await busDb?.drop()
})

describe('a cart when its owner places an order', () => {
  it('when OrderCreated arrives, then the ordered lines leave the cart once and a line added later stays', async () => {
    const [ordered, alsoOrdered, kept] = products as [string, string, string]
    const buyer = await signedUp()
    for (const [productId, quantity] of [
      [ordered, 2],
      [alsoOrdered, 1],
      [kept, 3],
    ] as const)
      await client().call('addItem', { cartToken: '', productId, quantity }, buyer.as)
    const order = orderCreated(
      buyer.userId,
      [
        [ordered, 2],
        [alsoOrdered, 1],
      ],
      new Date().toISOString(),
    )

    await publishEvent(bus, events.OrderCreated, order)
    const getCart = async () => quantities((await client().call('getCart', { cartToken: '' }, buyer.as)).cart)
    await eventually(async () => expect(await getCart()).toEqual({ [kept]: 3 }))

    // added after checkout: the same event again (a new delivery id) must not take it
    await client().call('addItem', { cartToken: '', productId: ordered, quantity: 1 }, buyer.as)
    await delivered(order)
    expect(await getCart()).toEqual({ [kept]: 3, [ordered]: 1 })
  })

  it('when OrderCreated names a user without a cart, then nothing fails and no cart is made', async () => {
    const buyer = await signedUp()
    const other = await signedUp()
    await client().call('addItem', { cartToken: '', productId: products[0]!, quantity: 1 }, other.as)
    // recorded in the inbox: handled and committed, not failed and waiting for a retry
    await delivered(orderCreated(buyer.userId, [[products[0]!, 1]], new Date().toISOString()))
    // the other user's cart is a witness that later events are still handled
    await publishEvent(
      bus,
      events.OrderCreated,
      orderCreated(other.userId, [[products[0]!, 1]], new Date().toISOString()),
    )
    const otherCart = async () =>
      quantities((await client().call('getCart', { cartToken: '' }, other.as)).cart)
    await eventually(async () => expect(await otherCart()).toEqual({}))
    const { cart } = await client().call('getCart', { cartToken: '' }, buyer.as)
    expect(cart?.id ?? '').toBe('')
  })
})
