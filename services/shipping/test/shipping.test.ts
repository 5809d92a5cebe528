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
      GRPC_INSECURE: 'true',
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

const LIGHT_LINES = [
  { productId: 'p1', name: 'Kettle', quantity: 2, weightGrams: 600 },
  { productId: 'p2', name: 'Mug', quantity: 1, weightGrams: 300 },
]
// 49 kg: two parcels of one pair each, with the mug in the first
const HEAVY_LINES = [
  {
    productId: 'adjustable-dumbbells-pair',
    name: 'Adjustable Dumbbells (Pair)',
    quantity: 2,
    weightGrams: 24_500,
  },
  { productId: 'p2', name: 'Mug', quantity: 1, weightGrams: 300 },
]

/** An OrderConfirmed as orders' relay publishes it, confirmed now by the service's clock. */
const confirmed = (orderId: string, userId: string, country = 'US', id?: string, lines = LIGHT_LINES) =>
  publishEvent(
    bus,
    events.OrderConfirmed,
    OrderConfirmed.fromPartial({
      orderId,
      userId,
      email: 'buyer@example.com',
      lines,
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
  (await db.query('select * from shipments where order_id = $1 order by parcel_number', [orderId])).rows
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
    const home = await shipping.call('quote', { weightGrams: 1_500, destinationCountry: 'US', items: [] })
    const abroad = await shipping.call('quote', { weightGrams: 1_500, destinationCountry: 'GB', items: [] })
    expect(home).toEqual({
      cost: { amount: 899, currency: 'USD' },
      carrier: 'Microshop Ground',
      estimatedDays: 3,
      parcels: [{ number: 1, weightGrams: 1_500, cost: { amount: 899, currency: 'USD' }, estimatedDays: 3 }],
    })
    expect(abroad).toMatchObject({ carrier: 'Microshop Global Express', estimatedDays: 7 })
    expect(abroad.cost?.amount).toBeGreaterThan(home.cost?.amount ?? Number.POSITIVE_INFINITY)
  })

  it('when the destination is not a country code, then INVALID_ARGUMENT names it', async () => {
    await expectFailure(
      shipping.call('quote', { weightGrams: 100, destinationCountry: 'Atlantis', items: [] }),
      {
        kind: 'invalid_argument',
        code: 'SHIPPING_INVALID_DESTINATION',
      },
    )
  })
})

describe('Quote of a heavy order', () => {
  it('when the items are over 30 kg together, then they are packed into parcels, each priced, the cost their sum', async () => {
    const one = await shipping.call('quote', { weightGrams: 24_800, destinationCountry: 'US', items: [] })
    const q = await shipping.call('quote', {
      weightGrams: 0,
      destinationCountry: 'US',
      items: [
        { weightGrams: 24_500, quantity: 2 },
        { weightGrams: 300, quantity: 1 },
      ],
    })
    expect(q.parcels).toEqual([
      { number: 1, weightGrams: 24_800, cost: one.cost, estimatedDays: 4 },
      { number: 2, weightGrams: 24_500, cost: one.cost, estimatedDays: 4 },
    ])
    expect(q.cost).toEqual({ amount: (one.cost?.amount ?? 0) * 2, currency: 'USD' })
    expect(q).toMatchObject({ carrier: 'Microshop Ground', estimatedDays: 4 })
  })

  it('when only a weight over 30 kg is given, then it is split into full parcels and the rest', async () => {
    const q = await shipping.call('quote', { weightGrams: 49_000, destinationCountry: 'US', items: [] })
    expect(q.parcels.map((p) => p.weightGrams)).toEqual([30_000, 19_000])
  })

  it('when one unit is over 30 kg, or the order needs more than 10 parcels, then SHIPPING_TOO_HEAVY', async () => {
    const alone = await expectFailure(
      shipping.call('quote', {
        weightGrams: 0,
        destinationCountry: 'US',
        items: [
          { weightGrams: 300, quantity: 1 },
          { weightGrams: 31_000, quantity: 1 },
        ],
      }),
      { kind: 'invalid_argument', code: 'SHIPPING_TOO_HEAVY' },
    )
    expect(alone.fields.map((f) => f.field)).toEqual(['items[1].weightGrams'])
    await expectFailure(
      shipping.call('quote', {
        weightGrams: 0,
        destinationCountry: 'US',
        items: [{ weightGrams: 24_500, quantity: 11 }],
      }),
      { kind: 'invalid_argument', code: 'SHIPPING_TOO_HEAVY' },
    )
    await expectFailure(
      shipping.call('quote', {
        weightGrams: 0,
        destinationCountry: 'US',
        items: [{ weightGrams: 10, quantity: 0 }],
      }),
      { kind: 'invalid_argument', code: 'SHIPPING_INVALID_QUANTITY' },
    )
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
      parcelNumber: 1,
      parcelCount: 1,
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

describe('a heavy order, shipped in parcels', () => {
  const delivered = (orderId: string) =>
    seen
      .filter((e) => e.subject === orderId && e.type === ShipmentDelivered.type)
      .map((e) => ShipmentDelivered.payload.decode(e.data))

  it('when it is confirmed, then each parcel is a shipment with its own tracking number, moved on its own, and only the last delivery says the order arrived', async () => {
    const buyer = await token(`ship-heavy-${Date.now()}@example.com`, PASSWORD, true)
    const orderId = newOrderId()
    await confirmed(orderId, buyer.userId, 'US', undefined, HEAVY_LINES)
    await waitFor(() => eventsOf(orderId).length >= 2, { what: 'both parcels created' })

    const { shipment, shipments } = await shipping.call('getShipment', { orderId }, buyer.as)
    expect(shipments.map((s) => [s.parcelNumber, s.parcelCount, s.weightGrams])).toEqual([
      [1, 2, 24_800],
      [2, 2, 24_500],
    ])
    expect(shipment?.id).toBe(shipments[0]?.id)
    expect(new Set(shipments.map((s) => s.trackingNumber)).size).toBe(2)
    expect(shipments.every((s) => s.status === ShipmentStatus.SHIPMENT_STATUS_CREATED)).toBe(true)

    // the first parcel leaves 1 s after the confirmation, the second 0.2 s later
    clock.advance(1_000)
    await waitFor(() => eventsOf(orderId).length >= 3, { what: 'the first dispatch' })
    const half = (await shipping.call('getShipment', { orderId }, buyer.as)).shipments
    expect(half.map((s) => s.status)).toEqual([
      ShipmentStatus.SHIPMENT_STATUS_DISPATCHED,
      ShipmentStatus.SHIPMENT_STATUS_CREATED,
    ])
    clock.advance(1_000)
    await waitFor(() => delivered(orderId).length >= 1, { what: 'the first delivery' })
    clock.advance(1_000)
    await waitFor(() => delivered(orderId).length >= 2, { what: 'the second delivery' })

    expect(delivered(orderId).map((d) => [d.parcelNumber, d.parcelCount, d.parcelsRemaining])).toEqual([
      [1, 2, 1],
      [2, 2, 0],
    ])
    expect(eventsOf(orderId).filter((t) => t === ShipmentCreated.type)).toHaveLength(2)
    expect(eventsOf(orderId).filter((t) => t === ShipmentDispatched.type)).toHaveLength(2)
    const rows = await shipmentRows(orderId)
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered'])
  })

  it('when it is confirmed again, then there are still two parcels; when it is cancelled before dispatch, then both are called off', async () => {
    const orderId = newOrderId()
    const witness = newOrderId()
    await confirmed(orderId, 'user-heavy-cancels', 'US', undefined, HEAVY_LINES)
    const again = await confirmed(orderId, 'user-heavy-cancels', 'US', `${orderId}-again`, HEAVY_LINES)
    await waitFor(() => inboxRecorded(db, ORDER_EVENTS_GROUP, again.id), { what: 'the second copy handled' })
    expect(await shipmentRows(orderId)).toHaveLength(2)

    await cancelled(orderId, 'user-heavy-cancels')
    await confirmed(witness, 'user-heavy-keeps', 'US', undefined, HEAVY_LINES)
    await waitFor(async () => (await shipmentRows(orderId)).every((r) => r.status === 'cancelled'), {
      what: 'both parcels cancelled',
    })
    clock.advance(3_000)
    await waitFor(async () => (await shipmentRows(witness)).every((r) => r.status === 'delivered'), {
      what: 'the parcels confirmed with them delivered',
    })
    expect(await emitted(orderId)).toEqual([ShipmentCreated.type, ShipmentCreated.type])
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
