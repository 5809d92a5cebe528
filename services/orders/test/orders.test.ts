import { randomUUID } from 'node:crypto'
import { type EventBus, openEventBus } from '@microshop/chassis/internal'
import {
  eventually,
  expectFailure,
  inboxRecorded,
  publishEvent,
  silentLogger,
  waitFor,
} from '@microshop/chassis/testing'
import { CartServiceService } from '@microshop/contracts/cart/v1/cart'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { events } from '@microshop/contracts/events'
import { InventoryServiceService } from '@microshop/contracts/inventory/v1/inventory'
import { OrdersServiceService } from '@microshop/contracts/orders/v1/orders'
import { PaymentsServiceService } from '@microshop/contracts/payments/v1/payments'
import { ShippingServiceService } from '@microshop/contracts/shipping/v1/shipping'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../../test-support/stack.js'
import { SAGA_GROUP } from '../src/events/consumers.js'
import { rebuildReadModels } from '../src/main.js'
import {
  ADMIN,
  address,
  CARDS,
  card,
  clientOf,
  dbOf,
  orderRequest,
  type Person,
  signIn,
  signUp,
  statusOf,
  testProduct,
} from './fixtures.js'

let stack: Stack
let bus: EventBus
let ordersDb: pg.Pool
let busDb: pg.Pool
let admin: Person
const orders = () => clientOf(stack, 'orders', OrdersServiceService)
let ordersClient: ReturnType<typeof orders>
const P = {
  lamp: 'ord-lamp',
  rug: 'ord-rug',
  mug: 'ord-mug',
  last: 'ord-last-one',
  spare: 'ord-spare',
  sales: 'ord-sales',
  dumbbells: 'ord-dumbbells',
  anvil: 'ord-anvil',
}
// two pairs of dumbbells are over one parcel's 30 kg; an anvil alone is heavier than any parcel may be
const WEIGHTS: Record<string, number> = { [P.dumbbells]: 24_500, [P.anvil]: 31_000 }

const getOrder = async (who: Person, orderId: string) => {
  const { order } = await ordersClient.call('getOrder', { orderId }, who.as)
  if (!order) throw new Error(`no order ${orderId}`)
  return order
}

const reachStatus = (who: Person, orderId: string, status: string) =>
  eventually(async () => {
    const order = await getOrder(who, orderId)
    expect(statusOf(order)).toBe(status)
    return order
  })

// the slow test card's charge: long enough for a 1 s reservation to expire first, even on a busy machine
const SLOW_PAYMENT_MS = 3_000
const PAYMENT_OUTCOMES = [events.PaymentSucceeded.type, events.PaymentFailed.type]
const SAGA_TYPES = [
  ...PAYMENT_OUTCOMES,
  events.ReservationExpired.type,
  events.ShipmentDispatched.type,
  events.ShipmentDelivered.type,
]

/**
 * A late payment outcome must not revive a cancelled order: waits for payments to settle the order's payment,
 * then for the saga to have handled the outcome it sent (if any: a charge voided before it began sends none),
 * and checks that the order is still CANCELLED and the outcome recorded as ignored.
 */
async function staysCancelledAfterLatePayment(who: Person, orderId: string) {
  const payments = () => dbOf(stack, 'payments')
  await waitFor(
    async () =>
      (
        await payments().query(`select 1 from payments where order_id = $1 and status <> 'PENDING'`, [
          orderId,
        ])
      ).rowCount,
    { what: `the payment of ${orderId} settled` },
  )
  // the settlement's events are in payments' outbox, committed with it
  const { rows } = await payments().query<{ id: string }>(
    'select id from event_outbox where subject = $1 and type = any($2)',
    [orderId, PAYMENT_OUTCOMES],
  )
  for (const { id } of rows)
    await waitFor(() => inboxRecorded(ordersDb, SAGA_GROUP, id), { what: `the saga handled ${id}` })
  expect(statusOf(await getOrder(who, orderId))).toBe('CANCELLED')
  const ignored = await ordersDb.query('select event_id from ignored_reactions where order_id = $1', [
    orderId,
  ])
  expect(ignored.rows.map((r) => r.event_id)).toEqual(expect.arrayContaining(rows.map((r) => r.id)))
  return rows.length
}

const place = async (who: Person, lines: [string, number][], card = CARDS.ok) =>
  (await ordersClient.call('placeOrder', orderRequest(lines, { card }), who.as)).orderId

const readModelRows = async () => ({
  summaries: (await ordersDb.query('select * from order_summaries order by order_id')).rows,
  sales: (await ordersDb.query('select * from sales_daily order by day, product_id')).rows,
  counts: (await ordersDb.query('select * from sales_orders_daily order by day')).rows,
})

/** Every saga event in the log is in the saga's inbox: handled, its effect committed. */
async function sagaCaughtUp() {
  const logged = await busDb.query<{ id: string }>(
    'select id from bus_events where type = any($1) and target_group is null',
    [SAGA_TYPES],
  )
  const handled = await ordersDb.query<{ event_id: string }>(
    'select event_id from event_inbox where consumer_group = $1 and event_id = any($2)',
    [SAGA_GROUP, logged.rows.map((r) => r.id)],
  )
  return handled.rowCount === logged.rowCount
}

const ordersIn = async (statuses: string[]) =>
  (await ordersDb.query('select 1 from order_summaries where status = any($1)', [statuses])).rowCount

/** No payment outcome is still to come: no order waits for one, and the saga has handled every event logged. */
const paymentsSettled = () =>
  waitFor(async () => (await ordersIn(['PENDING_PAYMENT'])) === 0 && (await sagaCaughtUp()), {
    what: 'every order out of PENDING_PAYMENT and the saga caught up',
  })

/** The saga has nothing left to do: every order is DELIVERED or CANCELLED, and every event logged handled. */
const sagaSettled = () =>
  waitFor(
    async () =>
      (await ordersIn(['PENDING_PAYMENT', 'CONFIRMED', 'SHIPPED'])) === 0 &&
      (await dbOf(stack, 'payments').query(`select 1 from payments where status = 'PENDING'`)).rowCount ===
        0 &&
      (await sagaCaughtUp()),
    { what: 'every order DELIVERED or CANCELLED and the saga caught up' },
  )

const sagaPosition = async () =>
  (
    await busDb.query<{ n: number }>(
      `select coalesce(sum(p.position), 0)::int as n from bus_positions p
         join bus_groups g on g.id = p.group_id where g.name = 'orders-saga'`,
    )
  ).rows[0]!.n

beforeAll(async () => {
  stack = await startStack(
    ['identity', 'catalog', 'cart', 'inventory', 'fraud', 'payments', 'shipping', 'orders'],
    {
      identity: { IDENTITY_ARGON2_MEMORY_KIB: '8192', IDENTITY_ARGON2_TIME_COST: '1' },
      inventory: { INVENTORY_SEED: 'false', INVENTORY_SWEEP_INTERVAL_MS: '100' },
      shipping: { SHIPPING_TIME_SCALE: '0.02', SHIPPING_TICK_MS: '50' },
      payments: { PAYMENTS_SLOW_CARD_DELAY_MS: String(SLOW_PAYMENT_MS) },
    },
  )
  bus = await openEventBus(stack.databases.bus?.url ?? '', { log: silentLogger })
  busDb = new pg.Pool({ connectionString: stack.databases.bus?.url, max: 2 })
  ordersDb = new pg.Pool({ connectionString: stack.databases.orders?.url, max: 2 })
  ordersClient = orders()
  admin = await signIn(stack, ADMIN.email, ADMIN.password)
  const catalog = clientOf(stack, 'catalog', CatalogServiceService)
  const inventory = clientOf(stack, 'inventory', InventoryServiceService)
  const prices: Record<string, number> = {
    [P.lamp]: 1_250,
    [P.rug]: 5_000,
    [P.mug]: 800,
    [P.last]: 2_000,
    [P.spare]: 300,
    [P.sales]: 700,
    [P.dumbbells]: 2_500,
    [P.anvil]: 2_500,
  }
  for (const [id, amount] of Object.entries(prices)) {
    await catalog.call(
      'upsertProduct',
      { product: testProduct(id, amount, WEIGHTS[id]), createOnly: false },
      admin.as,
    )
    await inventory.call('setStock', { productId: id, onHand: id === P.last ? 1 : 1_000 }, admin.as)
  }
  catalog.close()
  inventory.close()
})

afterAll(async () => {
  ordersClient?.close()
  await bus?.close()
  await busDb?.end()
  await ordersDb?.end()
  await stack?.close()
})

describe('placing an order', () => {
  it('when a buyer orders lines, then the answer is PENDING_PAYMENT and the order carries catalog prices, shipping and total', async () => {
    const ada = await signUp(stack)
    const res = await ordersClient.call(
      'placeOrder',
      orderRequest([
        [P.lamp, 2],
        [P.rug, 1],
      ]),
      ada.as,
    )
    expect(res).toMatchObject({ status: 1, replayed: false })
    const order = await getOrder(ada, res.orderId)
    const shipping = clientOf(stack, 'shipping', ShippingServiceService)
    const quote = await shipping.call('quote', { weightGrams: 750, destinationCountry: 'GB', items: [] })
    shipping.close()
    expect(order).toMatchObject({
      id: res.orderId,
      userId: ada.userId,
      subtotal: { amount: 7_500, currency: 'USD' },
      shipping: quote.cost,
      total: { amount: 7_500 + quote.cost!.amount, currency: 'USD' },
      shippingAddress: address,
      itemCount: 3,
    })
    expect(
      order.lines.map((l) => [l.productId, l.quantity, l.unitPrice?.amount, l.lineTotal?.amount]),
    ).toEqual([
      [P.lamp, 2, 1_250, 2_500],
      [P.rug, 1, 5_000, 5_000],
    ])
    expect(order.paymentSummary).toContain('4242')
    expect(order.history[0]).toMatchObject({ status: 1, reason: '' })
    const { rows } = await ordersDb.query<{ type: string; data: Buffer }>(
      'select type, data from event_outbox where subject = $1 order by seq',
      [res.orderId],
    )
    expect(rows.map((r) => r.type)).toEqual([events.OrderCreated.type, events.OrderStatusChanged.type])
    const created = events.OrderCreated.payload.decode(rows[0]!.data)
    expect(created).toMatchObject({
      orderId: res.orderId,
      userId: ada.userId,
      email: ada.email,
      total: order.total,
    })
    expect(created.paymentToken).not.toBe('')
    expect(created.reservationId).not.toBe('')
    // the card number is stored nowhere in the orders' database
    for (const table of ['order_events', 'idempotency_keys', 'event_outbox'])
      expect(
        (await ordersDb.query(`select 1 from ${table} t where t::text like '%4242424242424242%'`)).rowCount,
      ).toBe(0)
  })

  it('when no lines are sent, then the caller’s cart is ordered; when the cart is empty, then ORDERS_EMPTY_CART', async () => {
    const ben = await signUp(stack)
    await expectFailure(ordersClient.call('placeOrder', orderRequest([]), ben.as), {
      code: 'ORDERS_EMPTY_CART',
      kind: 'failed_precondition',
    })
    const cart = clientOf(stack, 'cart', CartServiceService)
    await cart.call('addItem', { cartToken: '', productId: P.mug, quantity: 3 }, ben.as)
    cart.close()
    const { orderId } = await ordersClient.call('placeOrder', orderRequest([]), ben.as)
    const order = await getOrder(ben, orderId)
    expect(order.lines.map((l) => [l.productId, l.quantity])).toEqual([[P.mug, 3]])
    expect(order.subtotal?.amount).toBe(2_400)
  })

  it('when the request is invalid, then INVALID_ARGUMENT names the fields, before any order exists', async () => {
    const cy = await signUp(stack)
    const err = await expectFailure(
      ordersClient.call(
        'placeOrder',
        orderRequest([[P.lamp, 100]], { shippingAddress: { ...address, city: '' }, payment: undefined }),
        cy.as,
      ),
      { code: 'ORDERS_INVALID_REQUEST', kind: 'invalid_argument' },
    )
    expect(err.fields.map((f) => f.field)).toEqual([
      'shippingAddress.city',
      'lines[0].quantity',
      'payment.card.number',
    ])
    expect(
      (
        await expectFailure(
          ordersClient.call('placeOrder', orderRequest([[P.lamp, 1]], { idempotencyKey: '' }), cy.as),
          { code: 'ORDERS_INVALID_IDEMPOTENCY_KEY', kind: 'invalid_argument' },
        )
      ).fields.map((f) => f.field),
    ).toContain('idempotencyKey')
    await expectFailure(
      ordersClient.call(
        'placeOrder',
        orderRequest([[P.lamp, 1]], { idempotencyKey: 'k'.repeat(101) }),
        cy.as,
      ),
      { code: 'ORDERS_INVALID_IDEMPOTENCY_KEY', kind: 'invalid_argument' },
    )
    const both = await expectFailure(
      ordersClient.call(
        'placeOrder',
        orderRequest([[P.lamp, 1]], { payment: { card: card(), token: 'tok_also' } }),
        cy.as,
      ),
      { code: 'ORDERS_INVALID_REQUEST', kind: 'invalid_argument' },
    )
    expect(both.fields.map((f) => f.field)).toEqual(['payment.card', 'payment.token'])
    expect((await ordersClient.call('listOrders', { page: undefined }, cy.as)).orders).toEqual([])
  })

  it('when a product is not in the catalog, then NOT_FOUND names its line', async () => {
    const di = await signUp(stack)
    expect(
      (
        await expectFailure(
          ordersClient.call(
            'placeOrder',
            orderRequest([
              [P.lamp, 1],
              ['no-such-product', 1],
            ]),
            di.as,
          ),
          { code: 'ORDERS_UNKNOWN_PRODUCT', kind: 'not_found' },
        )
      ).fields.map((f) => f.field),
    ).toContain('lines[1].productId')
  })

  it('when payments refuses the card, then INVALID_ARGUMENT names the card fields', async () => {
    const ed = await signUp(stack)
    const err = await expectFailure(
      ordersClient.call('placeOrder', orderRequest([[P.lamp, 1]], { card: CARDS.badLuhn }), ed.as),
      { code: 'ORDERS_INVALID_CARD', kind: 'invalid_argument' },
    )
    expect(err.fields.every((f) => f.field.startsWith('payment.card'))).toBe(true)
  })

  it('when stock runs out, then FAILED_PRECONDITION ORDERS_OUT_OF_STOCK and the key may be used again', async () => {
    const fay = await signUp(stack)
    const request = orderRequest([[P.last, 2]])
    await expectFailure(ordersClient.call('placeOrder', request, fay.as), {
      code: 'ORDERS_OUT_OF_STOCK',
      kind: 'failed_precondition',
    })
    // the failed attempt released the key: the same key with a possible order succeeds
    const again = await ordersClient.call(
      'placeOrder',
      { ...request, lines: [{ productId: P.last, quantity: 1 }] },
      fay.as,
    )
    expect(again).toMatchObject({ status: 1, replayed: false })
  })

  it('when the buyer is blocked, then PERMISSION_DENIED; when nobody is signed in, then UNAUTHENTICATED', async () => {
    const gus = await signUp(stack)
    const identityDb = new pg.Pool({ connectionString: stack.databases.identity!.url, max: 1 })
    await identityDb.query(`update users set status = 'blocked' where id = $1`, [gus.userId])
    await identityDb.end()
    await expectFailure(ordersClient.call('placeOrder', orderRequest([[P.lamp, 1]]), gus.as), {
      code: 'ORDERS_USER_BLOCKED',
      kind: 'permission_denied',
    })
    await expectFailure(ordersClient.call('placeOrder', orderRequest([[P.lamp, 1]])), {
      code: 'AUTH_REQUIRED',
      kind: 'unauthenticated',
    })
  })
})

describe('what one buyer may hold', () => {
  it('when a buyer has five orders waiting for payment, then a sixth is ORDERS_TOO_MANY_PENDING until one settles', async () => {
    const hoarder = await signUp(stack)
    // slow payments keep the five waiting while the sixth is tried
    await Promise.all([1, 2, 3, 4, 5].map(() => place(hoarder, [[P.spare, 1]], CARDS.slow)))
    await expectFailure(ordersClient.call('placeOrder', orderRequest([[P.spare, 1]]), hoarder.as), {
      code: 'ORDERS_TOO_MANY_PENDING',
      kind: 'resource_exhausted',
    })
    // another buyer is not held back by it
    expect(await place(await signUp(stack), [[P.spare, 1]])).toBeTruthy()
    await waitFor(async () => (await ordersIn(['PENDING_PAYMENT'])) === 0, {
      what: 'the slow payments settled',
    })
    expect(await place(hoarder, [[P.spare, 1]])).toBeTruthy()
  })

  it('when an order would hold more than 200 units reserved, then ORDERS_TOO_MANY_RESERVED_UNITS and nothing is reserved', async () => {
    const hoarder = await signUp(stack)
    const before = (await ordersDb.query('select count(*)::int as n from order_summaries')).rows[0].n
    await expectFailure(
      ordersClient.call(
        'placeOrder',
        orderRequest([
          [P.spare, 99],
          [P.mug, 99],
          [P.lamp, 3],
        ]),
        hoarder.as,
      ),
      { code: 'ORDERS_TOO_MANY_RESERVED_UNITS', kind: 'resource_exhausted' },
    )
    expect((await ordersDb.query('select count(*)::int as n from order_summaries')).rows[0].n).toBe(before)
    expect(
      await place(hoarder, [
        [P.spare, 99],
        [P.mug, 99],
        [P.lamp, 2],
      ]),
    ).toBeTruthy()
  })
})

describe('paying with a token made beforehand', () => {
  const payments = () => clientOf(stack, 'payments', PaymentsServiceService)
  const tokenFor = async (who: Person) => {
    const client = payments()
    try {
      return (await client.call('tokenizeCard', card(), who.as)).token
    } finally {
      client.close()
    }
  }

  it('when the buyer sends a token while payments is down, then the order is accepted, and charged once payments is back', async () => {
    const ada = await signUp(stack, 'tokened')
    const token = await tokenFor(ada)
    await stack.stop('payments')
    let orderId = ''
    try {
      const request = orderRequest([[P.mug, 1]], { token })
      const res = await ordersClient.call('placeOrder', request, ada.as)
      expect(res).toMatchObject({ status: 1, replayed: false })
      orderId = res.orderId
      // the fingerprint covers the token: the same key with another token is another order
      await expectFailure(
        ordersClient.call(
          'placeOrder',
          { ...request, payment: { card: undefined, token: 'tok_other' } },
          ada.as,
        ),
        { code: 'ORDERS_IDEMPOTENCY_KEY_REUSED', kind: 'failed_precondition' },
      )
      expect(await ordersClient.call('placeOrder', request, ada.as)).toEqual({ ...res, replayed: true })
      const order = await getOrder(ada, orderId)
      expect({ status: statusOf(order), summary: order.paymentSummary }).toEqual({
        status: 'PENDING_PAYMENT',
        summary: '',
      })
    } finally {
      await stack.start('payments')
    }
    expect((await reachStatus(ada, orderId, 'CONFIRMED')).history.map((h) => h.status)).toEqual([1, 2])
    // the order shows no card: the payment's method is payments' to tell
    const client = payments()
    try {
      expect((await client.call('getPayment', { orderId }, ada.as)).payment?.method).toBe('visa •••• 4242')
    } finally {
      client.close()
    }
  })

  it('when the token is another user’s, then the order is CANCELLED for payment_failed', async () => {
    const [owner, thief] = [await signUp(stack), await signUp(stack)]
    const token = await tokenFor(owner)
    const { orderId } = await ordersClient.call('placeOrder', orderRequest([[P.mug, 1]], { token }), thief.as)
    const order = await reachStatus(thief, orderId, 'CANCELLED')
    expect(order.cancelReason).toBe('payment_failed')
    const { rows } = await ordersDb.query(
      `select data->>'detail' as detail from order_events where stream_id = $1 and type = 'OrderCancelled'`,
      [orderId],
    )
    expect(rows).toEqual([{ detail: 'invalid_payment_method: the payment token belongs to another user' }])
  })
})

describe('the Idempotency-Key', () => {
  it('when the same key and body come twice, then the second answer replays the first order', async () => {
    const hal = await signUp(stack)
    const request = orderRequest([[P.spare, 1]])
    const first = await ordersClient.call('placeOrder', request, hal.as)
    const second = await ordersClient.call('placeOrder', request, hal.as)
    expect(second).toEqual({ ...first, replayed: true })
    expect(
      (await ordersClient.call('listOrders', { page: undefined }, hal.as)).orders.map((o) => o.id),
    ).toEqual([first.orderId])
  })

  it('when the same key comes with another body, then ORDERS_IDEMPOTENCY_KEY_REUSED', async () => {
    const ida = await signUp(stack)
    const request = orderRequest([[P.spare, 1]])
    await ordersClient.call('placeOrder', request, ida.as)
    await expectFailure(
      ordersClient.call('placeOrder', { ...request, lines: [{ productId: P.spare, quantity: 2 }] }, ida.as),
      { code: 'ORDERS_IDEMPOTENCY_KEY_REUSED', kind: 'failed_precondition' },
    )
  })

  it('when another user sends the same key, then it is theirs: keys are per user', async () => {
    const [jo, kim] = [await signUp(stack), await signUp(stack)]
    const request = orderRequest([[P.spare, 1]])
    const a = await ordersClient.call('placeOrder', request, jo.as)
    const b = await ordersClient.call('placeOrder', request, kim.as)
    expect(b.orderId).not.toBe(a.orderId)
    expect(b.replayed).toBe(false)
  })

  it('when the same key is sent five times at once, then one order exists and every other answer replays it or is IN_FLIGHT', async () => {
    const lou = await signUp(stack)
    const request = orderRequest([[P.spare, 1]])
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => ordersClient.call('placeOrder', request, lou.as)),
    )
    const ids = new Set<string>()
    for (const r of results)
      if (r.status === 'fulfilled') ids.add(r.value.orderId)
      else expect(r.reason).toMatchObject({ kind: 'conflict', code: 'ORDERS_IDEMPOTENCY_IN_FLIGHT' })
    expect(ids.size).toBe(1)
    expect(
      (await ordersClient.call('listOrders', { page: undefined }, lou.as)).orders.map((o) => o.id),
    ).toEqual([...ids])
    const { rows } = await ordersDb.query(
      `select count(*)::int as n from order_events where type = 'OrderPlaced' and data->>'userId' = $1`,
      [lou.userId],
    )
    expect(rows[0].n).toBe(1)
  })
})

describe('the saga', () => {
  it('when the payment succeeds and the carrier moves the parcel, then the order goes CONFIRMED, SHIPPED, DELIVERED', async () => {
    const max = await signUp(stack)
    const orderId = await place(max, [[P.lamp, 1]])
    const order = await reachStatus(max, orderId, 'DELIVERED')
    expect(order.history.map((h) => h.status)).toEqual([1, 2, 3, 4])
    expect(order.version).toBe(4)
  })

  it('when an order is over 30 kg, then it is accepted, charged for each parcel, SHIPPED with the first and DELIVERED once the last arrives', async () => {
    const kim = await signUp(stack)
    const orderId = await place(kim, [[P.dumbbells, 2]])
    const shipping = clientOf(stack, 'shipping', ShippingServiceService)
    try {
      const quote = await shipping.call('quote', {
        weightGrams: 0,
        destinationCountry: address.country,
        items: [{ weightGrams: WEIGHTS[P.dumbbells] ?? 0, quantity: 2 }],
      })
      expect(quote.parcels.map((p) => p.weightGrams)).toEqual([24_500, 24_500])
      const order = await reachStatus(kim, orderId, 'DELIVERED')
      expect(order.shipping).toEqual(quote.cost)
      expect(order.history.map((h) => h.status)).toEqual([1, 2, 3, 4])
      expect(order.version).toBe(4)
      const { shipments } = await shipping.call('getShipment', { orderId }, kim.as)
      expect(shipments.map((s) => [s.parcelNumber, s.parcelCount, s.deliveredAt !== ''])).toEqual([
        [1, 2, true],
        [2, 2, true],
      ])
      expect(new Set(shipments.map((s) => s.trackingNumber)).size).toBe(2)
      const lastArrival = Math.max(...shipments.map((s) => Date.parse(s.deliveredAt)))
      expect(Date.parse(order.history.at(-1)?.at ?? '')).toBeGreaterThanOrEqual(lastArrival)
    } finally {
      shipping.close()
    }
  })

  it('when one item is heavier than any parcel may be, then INVALID_ARGUMENT SHIPPING_TOO_HEAVY names its line and nothing is placed', async () => {
    const lee = await signUp(stack)
    const err = await expectFailure(
      ordersClient.call(
        'placeOrder',
        orderRequest([
          [P.mug, 1],
          [P.anvil, 1],
        ]),
        lee.as,
      ),
      { kind: 'invalid_argument', code: 'SHIPPING_TOO_HEAVY' },
    )
    expect(err.fields.map((f) => f.field)).toEqual(['lines[1].productId'])
    expect(err.message).toMatch(/over 30 kg/)
    const { rows } = await ordersDb.query(
      `select 1 from order_events where type = 'OrderPlaced' and data->>'userId' = $1`,
      [lee.userId],
    )
    expect(rows).toHaveLength(0)
  })

  it('when the card is declined, then the order is CANCELLED for payment_failed', async () => {
    const ned = await signUp(stack)
    const orderId = await place(ned, [[P.lamp, 1]], CARDS.declined)
    const order = await reachStatus(ned, orderId, 'CANCELLED')
    expect(order.cancelReason).toBe('payment_failed')
  })

  it('when a payment succeeds for another amount than the total, then the order is CANCELLED, never CONFIRMED, and the real capture is refunded', async () => {
    const zed = await signUp(stack)
    // the slow card: payments' own outcome comes seconds after the short one published here
    const orderId = await place(zed, [[P.lamp, 1]], CARDS.slow)
    const { total } = await getOrder(zed, orderId)
    await publishEvent(bus, events.PaymentSucceeded, {
      orderId,
      paymentId: 'short',
      amount: { amount: Number(total?.amount) - 1, currency: total?.currency ?? 'USD' },
    })
    const order = await reachStatus(zed, orderId, 'CANCELLED')
    expect(order.cancelReason).toBe('payment_failed')
    expect(order.history).toHaveLength(2)
    const { rows } = await ordersDb.query(
      `select data->>'detail' as detail from order_events where stream_id = $1 and type = 'OrderCancelled'`,
      [orderId],
    )
    expect(rows).toEqual([
      { detail: expect.stringMatching(/^payment short captured \d+ USD, the order's total is/) },
    ])
    // payments' genuine capture comes later: ignored by the order, refunded by payments
    expect(await staysCancelledAfterLatePayment(zed, orderId)).toBe(1)
    await waitFor(
      async () =>
        (
          await dbOf(stack, 'payments').query(
            `select 1 from payments where order_id = $1 and status = 'REFUNDED'`,
            [orderId],
          )
        ).rowCount,
      { what: `the payment of ${orderId} refunded` },
    )
  })

  it('when an event comes again or does not fit the status, then nothing changes and it is recorded as ignored', async () => {
    const oli = await signUp(stack)
    const orderId = await place(oli, [[P.mug, 1]])
    const delivered = await reachStatus(oli, orderId, 'DELIVERED')
    const late = [
      await publishEvent(bus, events.PaymentSucceeded, {
        orderId,
        paymentId: 'late',
        amount: delivered.total,
      }),
      await publishEvent(bus, events.ShipmentDelivered, {
        orderId,
        shipmentId: 'x',
        trackingNumber: 'again',
        parcelNumber: 1,
        parcelCount: 1,
        parcelsRemaining: 0,
      }),
    ]
    await bus.publish(late)
    const ignored = await eventually(async () => {
      const { rows } = await ordersDb.query('select event_id from ignored_reactions where order_id = $1', [
        orderId,
      ])
      expect(rows.map((r) => r.event_id).sort()).toEqual(late.map((e) => e.id).sort())
      return rows
    })
    expect(ignored).toHaveLength(2)
    const after = await getOrder(oli, orderId)
    expect({ status: statusOf(after), version: after.version }).toEqual({ status: 'DELIVERED', version: 4 })
  })
})

describe('cancelling', () => {
  it('when the owner cancels before payment, then CANCELLED for customer_cancelled; a second cancel is refused', async () => {
    const pat = await signUp(stack)
    const orderId = await place(pat, [[P.rug, 1]], CARDS.slow)
    const { order } = await ordersClient.call('cancelOrder', { orderId }, pat.as)
    expect({ status: statusOf(order), reason: order?.cancelReason }).toEqual({
      status: 'CANCELLED',
      reason: 'customer_cancelled',
    })
    const { rows } = await ordersDb.query(
      `select data from order_events where stream_id = $1 and type = 'OrderCancelled'`,
      [orderId],
    )
    expect(rows.map((r) => r.data.previousStatus)).toEqual(['PENDING_PAYMENT'])
    await expectFailure(ordersClient.call('cancelOrder', { orderId }, pat.as), {
      code: 'ORDERS_INVALID_TRANSITION',
      kind: 'failed_precondition',
    })
    await staysCancelledAfterLatePayment(pat, orderId)
  })

  it('when the order was delivered, then the cancel is refused; when it is someone else’s, then NOT_FOUND', async () => {
    const [quin, rae] = [await signUp(stack), await signUp(stack)]
    const orderId = await place(quin, [[P.spare, 1]])
    await reachStatus(quin, orderId, 'DELIVERED')
    await expectFailure(ordersClient.call('cancelOrder', { orderId }, quin.as), {
      code: 'ORDERS_INVALID_TRANSITION',
      kind: 'failed_precondition',
    })
    await expectFailure(ordersClient.call('cancelOrder', { orderId }, rae.as), {
      code: 'ORDERS_ORDER_NOT_FOUND',
      kind: 'not_found',
    })
  })

  it('when shipping is down, then the flat rate applies; when two cancels race, then exactly one wins and one OrderCancelled is recorded', async () => {
    const sam = await signUp(stack, 'racer')
    await stack.stop('shipping')
    try {
      const orderId = await place(sam, [[P.spare, 1]])
      // shipping is down: the documented flat rate (ORDERS_FALLBACK_SHIPPING_CENTS, 999) applies
      expect((await reachStatus(sam, orderId, 'CONFIRMED')).shipping).toEqual({
        amount: 999,
        currency: 'USD',
      })
      const results = await Promise.allSettled([
        ordersClient.call('cancelOrder', { orderId }, sam.as),
        ordersClient.call('cancelOrder', { orderId }, sam.as),
      ])
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
      expect(['ORDERS_INVALID_TRANSITION', 'ORDERS_CONCURRENT_UPDATE']).toContain(loser.reason.code)
      const { rows } = await ordersDb.query(
        `select data from order_events where stream_id = $1 and type = 'OrderCancelled'`,
        [orderId],
      )
      expect(rows.map((r) => r.data.previousStatus)).toEqual(['CONFIRMED'])
    } finally {
      await stack.start('shipping')
    }
  })
})

describe('reading orders', () => {
  it('when another user asks for an order, then NOT_FOUND; an admin sees it', async () => {
    const [tom, una] = [await signUp(stack), await signUp(stack)]
    const orderId = await place(tom, [[P.mug, 1]])
    await expectFailure(ordersClient.call('getOrder', { orderId }, una.as), {
      code: 'ORDERS_ORDER_NOT_FOUND',
      kind: 'not_found',
    })
    await expectFailure(ordersClient.call('getOrder', { orderId: randomUUID() }, tom.as), {
      code: 'ORDERS_ORDER_NOT_FOUND',
      kind: 'not_found',
    })
    expect((await ordersClient.call('getOrder', { orderId }, admin.as)).order?.userId).toBe(tom.userId)
  })

  it('when a buyer lists their orders, then they come newest first, page by page, and nobody else’s', async () => {
    const vic = await signUp(stack)
    const placed: string[] = []
    for (let i = 0; i < 3; i++) placed.push(await place(vic, [[P.spare, i + 1]]))
    const first = await ordersClient.call('listOrders', { page: { pageSize: 2, pageToken: '' } }, vic.as)
    const second = await ordersClient.call(
      'listOrders',
      { page: { pageSize: 2, pageToken: first.nextPageToken } },
      vic.as,
    )
    expect([...first.orders, ...second.orders].map((o) => o.id)).toEqual(placed.reverse())
    expect(second.nextPageToken).toBe('')
    expect(first.orders[0]).toMatchObject({ userId: vic.userId, itemCount: 3 })
    await expectFailure(
      ordersClient.call('listOrders', { page: { pageSize: 2, pageToken: 'nonsense' } }, vic.as),
      { code: 'ORDERS_INVALID_PAGE_TOKEN', kind: 'invalid_argument' },
    )
  })

  it('when sales are asked, then an admin gets confirmed sales net of cancellations; a customer is refused', async () => {
    const wes = await signUp(stack)
    await expectFailure(ordersClient.call('getSales', { from: '', to: '' }, wes.as), {
      code: 'AUTH_FORBIDDEN',
      kind: 'permission_denied',
    })
    await paymentsSettled()
    const before = await ordersClient.call('getSales', { from: '', to: '' }, admin.as)
    const kept = await place(wes, [[P.sales, 2]])
    await reachStatus(wes, kept, 'DELIVERED')
    await stack.stop('shipping')
    try {
      const regretted = await place(wes, [[P.sales, 1]])
      await reachStatus(wes, regretted, 'CONFIRMED')
      await ordersClient.call('cancelOrder', { orderId: regretted }, wes.as)
    } finally {
      await stack.start('shipping')
    }
    const after = await ordersClient.call('getSales', { from: '', to: '' }, admin.as)
    const today = new Date().toISOString().slice(0, 10)
    expect(after.rows.filter((r) => r.productId === P.sales)).toEqual([
      { day: today, productId: P.sales, quantity: 2, revenue: { amount: 1_400, currency: 'USD' } },
    ])
    expect(after.ordersConfirmed - before.ordersConfirmed).toBe(2)
    expect(after.ordersCancelled - before.ordersCancelled).toBe(1)
    expect(after.revenue!.amount - before.revenue!.amount).toBe(1_400)
    const lastYear = await ordersClient.call('getSales', { from: '2020-01-01', to: '2020-12-31' }, admin.as)
    expect(lastYear).toMatchObject({ rows: [], ordersConfirmed: 0 })
  })

  it('when the read models are rebuilt from the event store, then every row is the same', async () => {
    const before = await readModelRows()
    expect(before.summaries.length).toBeGreaterThan(5)
    expect(before.sales.length).toBeGreaterThan(0)
    const replayed = await rebuildReadModels(dbOf(stack, 'orders'))
    expect(replayed).toBeGreaterThan(before.summaries.length)
    expect(await readModelRows()).toEqual(before)
  })
})

describe('time limits and redelivery', () => {
  it('when the reservation expires before the payment outcome, then the order is CANCELLED for reservation_expired', async () => {
    await stack.stop('orders')
    await stack.start('orders', { ORDERS_RESERVATION_TTL_SECONDS: '1' })
    const xan = await signUp(stack)
    const orderId = await place(xan, [[P.lamp, 1]], CARDS.slow)
    const order = await reachStatus(xan, orderId, 'CANCELLED')
    expect(order.cancelReason).toBe('reservation_expired')
    // the slow charge began before the reservation expired: its capture comes late, and changes nothing
    expect(await staysCancelledAfterLatePayment(xan, orderId)).toBe(1)
  })

  it('when the saga consumer is replayed from the start, then every event is delivered again and nothing changes', async () => {
    const versions = async () =>
      (
        await ordersDb.query(
          'select stream_id, max(version) as v from order_events group by stream_id order by 1',
        )
      ).rows
    // a fact handled a second time would at least be recorded as ignored: the inbox keeps even that from happening
    const ignored = async () =>
      (await ordersDb.query('select event_id, reason from ignored_reactions order by event_id')).rows
    await sagaSettled()
    const before = {
      versions: await versions(),
      read: await readModelRows(),
      ignored: await ignored(),
      consumed: await sagaPosition(),
    }
    expect(before.consumed).toBeGreaterThan(0)
    await stack.stop('orders')
    await bus.replay(SAGA_GROUP, { position: 0 })
    expect(await sagaPosition()).toBeLessThan(before.consumed)
    await stack.start('orders')
    await eventually(async () => expect(await sagaPosition()).toBeGreaterThanOrEqual(before.consumed))
    expect({ versions: await versions(), read: await readModelRows(), ignored: await ignored() }).toEqual({
      versions: before.versions,
      read: before.read,
      ignored: before.ignored,
    })
  })
})
