import type { Db, DeliveredEvent, RunningService, ServiceClient } from '@microshop/chassis'
import {
  createDb,
  createServiceClient,
  type EventBus,
  openEventBus,
  type Subscription,
} from '@microshop/chassis/internal'
import {
  expectFailure,
  inboxRecorded,
  manualClock,
  publishEvent,
  silentLogger,
  staticDiscovery,
  waitFor,
} from '@microshop/chassis/testing'
import { events } from '@microshop/contracts/events'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { OrderCancelled, OrderConfirmed } from '@microshop/contracts/orders/v1/events'
import { ShipmentStatus, ShippingServiceService } from '@microshop/contracts/shipping/v1/shipping'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { type Stack, startStack } from '../../../test-support/stack.js'
import { ORDER_EVENTS_GROUP } from '../src/events/consumers.js'
import { startShipping } from '../src/main.js'

// 10 s and 20 s scaled by 0.1: due for dispatch 1 s after the confirmation, for delivery 2 s after it,
// by the service's clock, which the tests move by hand
const TIME_SCALE = '0.1'
const PASSWORD = 'correct-horse-battery-9'
const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }
const { ShipmentCreated, ShipmentDispatched, ShipmentDelivered } = events
const LIFE = [ShipmentCreated.type, ShipmentDispatched.type, ShipmentDelivered.type]

const clock = manualClock(new Date())
let stack: Stack
let shippingDb: TestDatabase
let db: Db
let service: RunningService | undefined
let bus: EventBus
let watcher: Subscription
let shipping: ServiceClient<typeof ShippingServiceService>
let seq = 0
const seen: DeliveredEvent[] = []

const eventsOf = (orderId: string) => seen.filter((e) => e.subject === orderId).map((e) => e.type)

/** Shipping on its own database, found by identity's registry, with the test's clock. */
async function startOwnShipping() {
  service = await startShipping(
    {
      REGISTRY_URL: stack.databases.platform?.url,
      BUS_URL: stack.databases.bus?.url,
      DATABASE_URL: shippingDb.url,
      HOST: '127.0.0.1',
      GRPC_PORT: '0',
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
      SHIPPING_TIME_SCALE: TIME_SCALE,
      SHIPPING_TICK_MS: '50',
    },
    { handleSignals: false, clock: clock.now },
  )
}

async function stopOwnShipping() {
  await service?.stop()
  service = undefined
}

async function token(email: string, password: string, register = false) {
  const identity = stack.services.identity
  const client = createServiceClient({
    service: 'identity',
    definition: IdentityServiceService,
    discovery: staticDiscovery([`127.0.0.1:${identity?.grpcPort}`]),
    log: silentLogger,
    deadlineMs: 10_000,
  })
  try {
    if (register) await client.call('register', { email, password, name: 'Shipping Buyer' })
    const { tokens, user } = await client.call('login', { email, password })
    return { userId: user?.id ?? '', as: { authorization: `Bearer ${tokens?.accessToken}` } }
  } finally {
    client.close()
  }
}

/** An OrderConfirmed as orders' relay publishes it, confirmed now by the service's clock. */
const confirmed = (orderId: string, userId: string, country = 'US', id?: string) =>
  publishEvent(
    bus,
    events.OrderConfirmed,
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
    { time: clock.now().toISOString(), ...(id ? { id } : {}) },
  )

const cancelled = (orderId: string, userId: string) =>
  publishEvent(
    bus,
    events.OrderCancelled,
    OrderCancelled.fromPartial({ orderId, userId, reason: 'customer_cancelled' }),
  )

const newOrderId = () => `order-ship-${Date.now()}-${++seq}`
const shipmentRows = async (orderId: string) =>
  (await db.query('select * from shipments where order_id = $1', [orderId])).rows
/** What shipping emitted about the order, in its outbox, oldest first. */
const emitted = async (orderId: string) =>
  (
    await db.query<{ type: string }>('select type from event_outbox where subject = $1 order by seq', [
      orderId,
    ])
  ).rows.map((r) => r.type)

beforeAll(async () => {
  ;[stack, shippingDb] = await Promise.all([startStack(['identity']), createTestDatabase('shipping')])
  db = createDb(shippingDb.url, { max: 2 })
  await startOwnShipping()
  bus = await openEventBus(stack.databases.bus?.url ?? '', { log: silentLogger })
  watcher = await bus.subscribe(
    'shipping-test-watcher',
    [ShipmentCreated, ShipmentDispatched, ShipmentDelivered],
    async (e) => void seen.push(e),
  )
  shipping = createServiceClient({
    service: 'shipping',
    definition: ShippingServiceService,
    discovery: staticDiscovery(() => [`127.0.0.1:${service?.grpcPort}`]),
    log: silentLogger,
    deadlineMs: 10_000,
  })
})
afterAll(async () => {
  shipping?.close()
  await watcher?.stop()
  await bus?.close()
  await stopOwnShipping()
  await db?.close()
  await stack?.close()
  await shippingDb?.drop()
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
    expect(abroad.cost?.amount).toBeGreaterThan(home.cost?.amount ?? Number.POSITIVE_INFINITY)
  })

  it('when the destination is not a country code, then INVALID_ARGUMENT names it', async () => {
    await expectFailure(shipping.call('quote', { weightGrams: 100, destinationCountry: 'Atlantis' }), {
      kind: 'invalid_argument',
      code: 'SHIPPING_INVALID_DESTINATION',
    })
  })
})

describe('the simulated carrier', () => {
  it('when an order is confirmed, then its shipment is created, dispatched and delivered, with one event each', async () => {
    const buyer = await token(`ship-buyer-${Date.now()}@example.com`, PASSWORD, true)
    const orderId = newOrderId()
    const confirmedAt = clock.now().getTime()
    await confirmed(orderId, buyer.userId)

    await waitFor(() => eventsOf(orderId).length >= 1, { what: 'the shipment created' })
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
    expect(shipment?.trackingNumber).toMatch(/^MS[0-9A-Z]{12}$/)

    clock.advance(1_000)
    await waitFor(() => eventsOf(orderId).length >= 2, { what: 'the dispatch' })
    clock.advance(1_000)
    await waitFor(() => eventsOf(orderId).length >= 3, { what: 'the delivery' })
    expect(eventsOf(orderId)).toEqual(LIFE)
    const created = seen.find((e) => e.subject === orderId && e.type === ShipmentCreated.type)
    expect(created && ShipmentCreated.payload.decode(created.data)).toEqual({
      orderId,
      shipmentId: shipment?.id,
      trackingNumber: shipment?.trackingNumber,
      carrier: 'Microshop Ground',
    })
    const after = (await shipping.call('getShipment', { orderId }, buyer.as)).shipment
    expect(after?.status).toBe(ShipmentStatus.SHIPMENT_STATUS_DELIVERED)
    // each step waited for its time: dispatched 1 s after the confirmation, delivered 1 s after that
    expect(Date.parse(after?.dispatchedAt ?? '')).toBe(confirmedAt + 1_000)
    expect(Date.parse(after?.deliveredAt ?? '')).toBe(confirmedAt + 2_000)
  })

  it('when OrderConfirmed is delivered again, then there is still one shipment and one ShipmentCreated', async () => {
    const orderId = newOrderId()
    const publishedFrom = new Date()
    const event = await confirmed(orderId, 'user-redelivered')
    await waitFor(() => eventsOf(orderId).length >= 1, { what: 'the shipment created' })
    // a true redelivery: the group is moved back to before the event and reads it again
    await stopOwnShipping()
    await bus.replay(ORDER_EVENTS_GROUP, { time: publishedFrom })
    await startOwnShipping()
    // the same order confirmed again under another event id: the order id still makes one shipment
    const again = await confirmed(orderId, 'user-redelivered', 'US', `${event.id}-again`)
    // on the same subject, so handled after the replayed event: once it is in the inbox, both were handled
    await waitFor(() => inboxRecorded(db, ORDER_EVENTS_GROUP, again.id), { what: 'the second copy handled' })
    clock.advance(2_000)
    // a second ShipmentCreated would have been emitted before these, and would arrive before them
    await waitFor(() => eventsOf(orderId).length >= 3, { what: 'the delivery' })
    expect(await shipmentRows(orderId)).toHaveLength(1)
    expect(eventsOf(orderId)).toEqual(LIFE)
  })

  it('when the order is cancelled before dispatch, then the shipment is cancelled and never dispatched', async () => {
    const orderId = newOrderId()
    const witness = newOrderId()
    await confirmed(orderId, 'user-cancels')
    await cancelled(orderId, 'user-cancels')
    // confirmed at the same time and never cancelled: due when the cancelled one would have been
    await confirmed(witness, 'user-keeps')
    await waitFor(async () => (await shipmentRows(orderId))[0]?.status === 'cancelled', {
      what: 'the cancellation',
    })
    clock.advance(2_000)
    await waitFor(async () => (await shipmentRows(witness))[0]?.status === 'delivered', {
      what: 'the delivery of the shipment confirmed with it',
    })
    const [row] = await shipmentRows(orderId)
    expect(row).toMatchObject({ status: 'cancelled', dispatched_at: null, next_step_at: null })
    expect(await emitted(orderId)).toEqual([ShipmentCreated.type])
  })

  it('when shipping restarts between confirmation and delivery, then the shipment still arrives', async () => {
    const orderId = newOrderId()
    await confirmed(orderId, 'user-restart')
    await waitFor(async () => (await shipmentRows(orderId)).length === 1, { what: 'the shipment created' })
    await stopOwnShipping()
    const stoppedAt = clock.now().getTime()
    // both steps fall due while shipping is down
    clock.advance(2_000)
    expect((await shipmentRows(orderId))[0]).toMatchObject({ status: 'created', dispatched_at: null })
    await startOwnShipping()
    await waitFor(() => eventsOf(orderId).length >= 3, { what: 'delivery after the restart' })
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
    await confirmed(orderId, owner.userId, 'de')
    await waitFor(async () => (await shipmentRows(orderId)).length === 1, { what: 'the shipment' })

    await expectFailure(shipping.call('getShipment', { orderId }, stranger.as), 'SHIPPING_SHIPMENT_NOT_FOUND')
    const mine = await shipping.call('getShipment', { orderId }, owner.as)
    expect(mine.shipment).toMatchObject({
      orderId,
      destinationCountry: 'DE',
      carrier: 'Microshop Global Express',
    })
    expect((await shipping.call('getShipment', { orderId }, admin.as)).shipment?.id).toBe(mine.shipment?.id)
    await expectFailure(shipping.call('getShipment', { orderId }), 'AUTH_REQUIRED')
  })

  it('when no shipment exists for the order, then NOT_FOUND', async () => {
    const admin = await token(ADMIN.email, ADMIN.password)
    await expectFailure(
      shipping.call('getShipment', { orderId: 'no-such-order' }, admin.as),
      'SHIPPING_SHIPMENT_NOT_FOUND',
    )
  })
})
