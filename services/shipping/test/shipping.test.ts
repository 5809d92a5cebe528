import {
  type CloudEvent,
  createServiceClient,
  type DeliveredEvent,
  type EventBus,
  openEventBus,
  type ServiceClient,
  type Subscription,
  toCloudEvent,
} from '@microshop/chassis'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { OrderCancelled, OrderConfirmed } from '@microshop/contracts/orders/v1/events'
import { ShipmentStatus, ShippingServiceService } from '@microshop/contracts/shipping/v1/shipping'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rejectionOf, silentLogger, staticDiscovery } from '../../../test-support/grpc.js'
import { type Stack, startStack } from '../../../test-support/stack.js'
import { OrderCancelledEvent, OrderConfirmedEvent } from '../src/events/order-consumer.js'
import { ShipmentCreatedEvent } from '../src/events/shipment-events.js'

// 10 s and 20 s scaled by 0.1: dispatched after 1 s, delivered after 2 s
const TIME_SCALE = '0.1'
const PASSWORD = 'correct-horse-battery-9'
const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }

let stack: Stack
let bus: EventBus
let watcher: Subscription
let shipping: ServiceClient<typeof ShippingServiceService>
let seq = 0
const seen: DeliveredEvent[] = []

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
) {
  const giveUpAt = Date.now() + timeoutMs
  for (;;) {
    const found = await probe()
    if (found !== undefined) return found
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const eventsOf = (orderId: string) => seen.filter((e) => e.subject === orderId).map((e) => e.type)

async function token(email: string, password: string, register = false) {
  const identity = stack.services.identity!
  const client = createServiceClient({
    service: 'identity',
    definition: IdentityServiceService,
    discovery: staticDiscovery([`127.0.0.1:${identity.grpcPort}`]),
    log: silentLogger,
    deadlineMs: 10_000,
  })
  try {
    if (register) await client.call('register', { email, password, name: 'Shipping Buyer' })
    const { tokens, user } = await client.call('login', { email, password })
    return { userId: user!.id, as: { authorization: `Bearer ${tokens!.accessToken}` } }
  } finally {
    client.close()
  }
}

function confirmed(orderId: string, userId: string, country = 'US', id?: string): CloudEvent {
  return toCloudEvent(
    '/microshop/orders',
    OrderConfirmedEvent.create(
      orderId,
      OrderConfirmed.fromPartial({
        orderId,
        userId,
        email: 'buyer@example.com',
        lines: [
          { productId: 'p1', name: 'Kettle', quantity: 2, weightGrams: 600 },
          { productId: 'p2', name: 'Mug', quantity: 1, weightGrams: 300 },
        ],
        total: { amount: 5_000, currency: 'USD' },
        shippingAddress: { name: 'Buyer', line1: '1 Main St', city: 'Austin', country },
      }),
      id ? { id } : {},
    ),
  )
}

const cancelled = (orderId: string, userId: string) =>
  toCloudEvent(
    '/microshop/orders',
    OrderCancelledEvent.create(
      orderId,
      OrderCancelled.fromPartial({ orderId, userId, reason: 'customer_cancelled' }),
    ),
  )

const newOrderId = () => `order-ship-${Date.now()}-${++seq}`
const shipmentRows = async (orderId: string) =>
  (await stack.services.shipping!.db!.query('select * from shipments where order_id = $1', [orderId])).rows

beforeAll(async () => {
  stack = await startStack(['identity', 'shipping'], {
    shipping: { SHIPPING_TIME_SCALE: TIME_SCALE, SHIPPING_TICK_MS: '50' },
  })
  bus = await openEventBus(stack.databases.bus!.url, { log: silentLogger })
  watcher = await bus.subscribe(
    'shipping-test-watcher',
    ['shipping.ShipmentCreated.v1', 'shipping.ShipmentDispatched.v1', 'shipping.ShipmentDelivered.v1'],
    async (e) => void seen.push(e),
  )
  shipping = createServiceClient({
    service: 'shipping',
    definition: ShippingServiceService,
    discovery: staticDiscovery(() => [`127.0.0.1:${stack.services.shipping?.grpcPort}`]),
    log: silentLogger,
    deadlineMs: 10_000,
  })
})
afterAll(async () => {
  shipping?.close()
  await watcher?.stop()
  await bus?.close()
  await stack?.close()
})

describe('Quote', () => {
  it('when asked for a domestic and an international price, then each comes with its carrier and days', async () => {
    const home = await shipping.call('quote', { weightGrams: 1_500, destinationCountry: 'US' })
    const abroad = await shipping.call('quote', { weightGrams: 1_500, destinationCountry: 'GB' })
    expect(home).toEqual({
      cost: { amount: 899, currency: 'USD' },
      carrier: 'Microshop Ground',
      estimatedDays: 3,
    })
    expect(abroad).toMatchObject({ carrier: 'Microshop Global Express', estimatedDays: 7 })
    expect(abroad.cost!.amount).toBeGreaterThan(home.cost!.amount)
  })

  it('when the destination is not a country code, then INVALID_ARGUMENT names it', async () => {
    const err = await rejectionOf<{ code: string; kind: string }>(
      shipping.call('quote', { weightGrams: 100, destinationCountry: 'Atlantis' }),
    )
    expect(err).toMatchObject({ kind: 'invalid_argument', code: 'SHIPPING_INVALID_DESTINATION' })
  })
})

describe('the simulated carrier', () => {
  it('when an order is confirmed, then its shipment is created, dispatched and delivered, with one event each', async () => {
    const buyer = await token(`ship-buyer-${Date.now()}@example.com`, PASSWORD, true)
    const orderId = newOrderId()
    const started = Date.now()
    await bus.publish([confirmed(orderId, buyer.userId)])

    await until('the shipment created', () => (eventsOf(orderId).length >= 1 ? true : undefined))
    const { shipment } = await shipping.call('getShipment', { orderId }, buyer.as)
    expect(shipment).toMatchObject({
      orderId,
      status: ShipmentStatus.SHIPMENT_STATUS_CREATED,
      carrier: 'Microshop Ground',
      weightGrams: 1_500,
      destinationCountry: 'US',
      cost: { amount: 899, currency: 'USD' },
      estimatedDays: 3,
      dispatchedAt: '',
    })
    expect(shipment!.trackingNumber).toMatch(/^MS[0-9A-Z]{12}$/)

    await until('delivery', () => (eventsOf(orderId).length >= 3 ? true : undefined))
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900)
    expect(eventsOf(orderId)).toEqual([
      'shipping.ShipmentCreated.v1',
      'shipping.ShipmentDispatched.v1',
      'shipping.ShipmentDelivered.v1',
    ])
    const created = ShipmentCreatedEvent.decode(seen.find((e) => e.subject === orderId)!)
    expect(created).toEqual({
      orderId,
      shipmentId: shipment!.id,
      trackingNumber: shipment!.trackingNumber,
      carrier: 'Microshop Ground',
    })
    const after = (await shipping.call('getShipment', { orderId }, buyer.as)).shipment!
    expect(after.status).toBe(ShipmentStatus.SHIPMENT_STATUS_DELIVERED)
    const dispatchedAt = Date.parse(after.dispatchedAt)
    const deliveredAt = Date.parse(after.deliveredAt)
    expect(deliveredAt - dispatchedAt).toBeGreaterThanOrEqual(900)
  })

  it('when OrderConfirmed is delivered again, then there is still one shipment and one ShipmentCreated', async () => {
    const orderId = newOrderId()
    const event = confirmed(orderId, 'user-redelivered')
    const publishedFrom = new Date()
    await bus.publish([event])
    await until('the shipment created', () => (eventsOf(orderId).length >= 1 ? true : undefined))
    // a true redelivery: the group is moved back to before the event and reads it again
    await stack.stop('shipping')
    await bus.replay('shipping-orders', { time: publishedFrom })
    await stack.start('shipping')
    // the same order confirmed again under another event id: the order id still makes one shipment
    await bus.publish([confirmed(orderId, 'user-redelivered', 'US', `${event.id}-again`)])
    await until('delivery', () => (eventsOf(orderId).length >= 3 ? true : undefined))
    await sleep(300)
    expect(await shipmentRows(orderId)).toHaveLength(1)
    expect(eventsOf(orderId)).toEqual([
      'shipping.ShipmentCreated.v1',
      'shipping.ShipmentDispatched.v1',
      'shipping.ShipmentDelivered.v1',
    ])
  })

  it('when the order is cancelled before dispatch, then the shipment is cancelled and never dispatched', async () => {
    const orderId = newOrderId()
    await bus.publish([confirmed(orderId, 'user-cancels'), cancelled(orderId, 'user-cancels')])
    await until('the cancellation', async () =>
      (await shipmentRows(orderId))[0]?.status === 'cancelled' ? true : undefined,
    )
    // well past the 1 s dispatch and 2 s delivery times
    await sleep(2_300)
    const [row] = await shipmentRows(orderId)
    expect(row).toMatchObject({ status: 'cancelled', dispatched_at: null, next_step_at: null })
    expect(eventsOf(orderId)).toEqual(['shipping.ShipmentCreated.v1'])
  })

  it('when shipping restarts between confirmation and delivery, then the shipment still arrives', async () => {
    const orderId = newOrderId()
    await bus.publish([confirmed(orderId, 'user-restart')])
    await until('the shipment created', async () =>
      (await shipmentRows(orderId)).length === 1 ? true : undefined,
    )
    await stack.stop('shipping')
    const stoppedAt = Date.now()
    await sleep(1_200)
    expect(eventsOf(orderId)).toEqual(['shipping.ShipmentCreated.v1'])
    await stack.start('shipping')
    await until('delivery after the restart', () => (eventsOf(orderId).length >= 3 ? true : undefined))
    const [row] = await shipmentRows(orderId)
    if (!row) throw new Error(`no shipment row for ${orderId}`)
    expect(row.status).toBe('delivered')
    expect((row.dispatched_at as Date).getTime()).toBeGreaterThan(stoppedAt)
  })
})

describe('GetShipment', () => {
  it("when another customer asks for an order's shipment, then it is NOT_FOUND; the owner and an admin see it", async () => {
    const owner = await token(`ship-owner-${Date.now()}@example.com`, PASSWORD, true)
    const stranger = await token(`ship-stranger-${Date.now()}@example.com`, PASSWORD, true)
    const admin = await token(ADMIN.email, ADMIN.password)
    const orderId = newOrderId()
    await bus.publish([confirmed(orderId, owner.userId, 'de')])
    await until('the shipment', async () => ((await shipmentRows(orderId)).length === 1 ? true : undefined))

    const err = await rejectionOf<{ code: string }>(shipping.call('getShipment', { orderId }, stranger.as))
    expect(err.code).toBe('SHIPPING_SHIPMENT_NOT_FOUND')
    const mine = await shipping.call('getShipment', { orderId }, owner.as)
    expect(mine.shipment).toMatchObject({
      orderId,
      destinationCountry: 'DE',
      carrier: 'Microshop Global Express',
    })
    expect((await shipping.call('getShipment', { orderId }, admin.as)).shipment!.id).toBe(mine.shipment!.id)
    const anonymous = await rejectionOf<{ code: string }>(shipping.call('getShipment', { orderId }))
    expect(anonymous.code).toBe('AUTH_REQUIRED')
  })

  it('when no shipment exists for the order, then NOT_FOUND', async () => {
    const admin = await token(ADMIN.email, ADMIN.password)
    const err = await rejectionOf<{ code: string }>(
      shipping.call('getShipment', { orderId: 'no-such-order' }, admin.as),
    )
    expect(err.code).toBe('SHIPPING_SHIPMENT_NOT_FOUND')
  })
})
