import { randomUUID } from 'node:crypto'
import { OrderStatus } from '@microshop/contracts/orders/v1/orders'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  OrderCancelledEvent,
  PaymentSucceededEvent,
  ReservationExpiredEvent,
} from '../src/events/inventory-events.js'
import { eventually, expectFailure, type InventoryStack, pause, startInventoryStack } from './fixtures.js'

// PaymentSucceeded and OrderCancelled travel on the real event log, as payments' and orders' relays publish them.
let env: InventoryStack
const orderId = () => `order-${randomUUID()}`

const level = async (productId: string) => {
  const { levels } = await env.inventory.call('getAvailability', { productIds: [productId] })
  const { available, reserved, onHand } = levels[0]!
  return { available, reserved, onHand }
}

const reserve = (order: string, productId: string, quantity: number, ttlSeconds = 0) =>
  env.inventory.call('reserveStock', { orderId: order, lines: [{ productId, quantity }], ttlSeconds })

const paymentSucceeded = (order: string, id = randomUUID()) =>
  PaymentSucceededEvent.create(
    order,
    { orderId: order, paymentId: `pay-${order}`, amount: { amount: 1_000, currency: 'USD' } },
    { id },
  )

const orderCancelled = (order: string, reason: string, id = randomUUID()) =>
  OrderCancelledEvent.create(
    order,
    {
      orderId: order,
      userId: 'u1',
      email: 'buyer@example.com',
      reason,
      previousStatus: OrderStatus.ORDER_STATUS_PENDING_PAYMENT,
    },
    { id },
  )

/** The reservation's status and the kinds of its movements, in the order they were appended. */
const history = async (order: string) => {
  const db = env.stack.services.inventory!.db!
  const { rows } = await db.query<{ status: string; kinds: string[] | null }>(
    `select r.status, array_agg(m.kind order by m.id) filter (where m.id is not null) as kinds
       from reservations r left join stock_movements m on m.reservation_id = r.id
      where r.order_id = $1 group by r.status`,
    [order],
  )
  return { status: rows[0]?.status, kinds: rows[0]?.kinds ?? [] }
}

const settledHistory = async (order: string, status: string) => {
  const found = await eventually(
    () => history(order),
    (h) => h.status === status,
  )
  // a second delivery would land within this pause
  await pause(300)
  expect(await history(order)).toEqual(found)
  return found
}

beforeAll(async () => {
  env = await startInventoryStack()
})
afterAll(async () => {
  await env?.stop()
})

describe('PaymentSucceeded', () => {
  it('when the payment succeeds, then the reservation is sold once, even when the event comes twice', async () => {
    const mug = await env.product(10)
    const order = orderId()
    await reserve(order, mug, 4)
    const event = paymentSucceeded(order)
    await env.publish('/microshop/payments', [event])
    await env.publish('/microshop/payments', [event])
    // another copy under a new id gets past the inbox: the reservation's status still makes it a no-op
    await env.publish('/microshop/payments', [paymentSucceeded(order)])
    expect(await settledHistory(order, 'committed')).toEqual({
      status: 'committed',
      kinds: ['reserved', 'committed'],
    })
    expect(await level(mug)).toEqual({ available: 6, reserved: 0, onHand: 6 })
    expect(await env.violations()).toEqual([])
  })

  it('when the payment comes after the reservation expired, then nothing is sold', async () => {
    const mug = await env.product(5)
    const order = orderId()
    await reserve(order, mug, 2, 1)
    await eventually(
      () => history(order),
      (h) => h.status === 'expired',
    )
    await env.publish('/microshop/payments', [paymentSucceeded(order)])
    await pause(500)
    expect(await history(order)).toEqual({ status: 'expired', kinds: ['reserved', 'expired'] })
    expect(await level(mug)).toEqual({ available: 5, reserved: 0, onHand: 5 })
  })
})

describe('OrderCancelled', () => {
  it('when an unpaid order is cancelled, then its reservation is released once, even when delivered twice', async () => {
    const mug = await env.product(7)
    const order = orderId()
    await reserve(order, mug, 3)
    const event = orderCancelled(order, 'payment_failed')
    await env.publish('/microshop/orders', [event])
    await env.publish('/microshop/orders', [event])
    await env.publish('/microshop/orders', [orderCancelled(order, 'payment_failed')])
    expect(await settledHistory(order, 'released')).toEqual({
      status: 'released',
      kinds: ['reserved', 'released'],
    })
    expect(await level(mug)).toEqual({ available: 7, reserved: 0, onHand: 7 })
  })

  it('when a paid order is cancelled, then its sold stock is returned exactly once', async () => {
    const mug = await env.product(9)
    const order = orderId()
    await reserve(order, mug, 2)
    await env.publish('/microshop/payments', [paymentSucceeded(order)])
    await settledHistory(order, 'committed')
    expect(await level(mug)).toEqual({ available: 7, reserved: 0, onHand: 7 })
    const event = orderCancelled(order, 'customer_cancelled')
    await env.publish('/microshop/orders', [event, orderCancelled(order, 'customer_cancelled')])
    await env.publish('/microshop/orders', [event])
    expect(await settledHistory(order, 'returned')).toEqual({
      status: 'returned',
      kinds: ['reserved', 'committed', 'returned'],
    })
    expect(await level(mug)).toEqual({ available: 9, reserved: 0, onHand: 9 })
    expect(await env.violations()).toEqual([])
  })

  it('when the cancel comes before the payment, then the stock is released and the late payment sells nothing', async () => {
    const mug = await env.product(4)
    const order = orderId()
    await reserve(order, mug, 4)
    await env.publish('/microshop/orders', [orderCancelled(order, 'customer_cancelled')])
    await env.publish('/microshop/payments', [paymentSucceeded(order)])
    expect(await settledHistory(order, 'released')).toEqual({
      status: 'released',
      kinds: ['reserved', 'released'],
    })
    expect(await level(mug)).toEqual({ available: 4, reserved: 0, onHand: 4 })
  })
})

describe('reservation expiry', () => {
  it('when a reservation outlives its ttl, then its stock is back and ReservationExpired is emitted once', async () => {
    const mug = await env.product(5)
    const order = orderId()
    const { reservationId } = await reserve(order, mug, 5, 1)
    expect(await level(mug)).toEqual({ available: 0, reserved: 5, onHand: 5 })
    await pause(200)
    expect((await history(order)).status).toBe('active')
    const expired = await eventually(
      async () => (await env.outbox([ReservationExpiredEvent.name])).filter((e) => e.subject === order),
      (rows) => rows.length > 0,
    )
    await pause(300)
    expect(
      (await env.outbox([ReservationExpiredEvent.name])).filter((e) => e.subject === order),
    ).toHaveLength(1)
    expect(ReservationExpiredEvent.decode(expired[0]!)).toEqual({ orderId: order, reservationId })
    expect(await level(mug)).toEqual({ available: 5, reserved: 0, onHand: 5 })
    expect(await history(order)).toEqual({ status: 'expired', kinds: ['reserved', 'expired'] })
    expect(await env.inventory.call('releaseReservation', { orderId: order })).toEqual({ released: true })
    await expectFailure(reserve(order, mug, 5), 'failed_precondition', 'INVENTORY_RESERVATION_CLOSED')
  })

  it('when a second inventory replica sweeps too, then each reservation still expires exactly once', async () => {
    const first = env.stack.services.inventory
    const second = await env.stack.start('inventory', { INSTANCE_ID: 'inventory-second' })
    try {
      const mug = await env.product(30)
      const orders = Array.from({ length: 10 }, () => orderId())
      for (const order of orders) await reserve(order, mug, 3, 1)
      const expired = await eventually(
        async () =>
          (await env.outbox([ReservationExpiredEvent.name])).filter((e) => orders.includes(e.subject)),
        (rows) => rows.length >= orders.length,
      )
      await pause(300)
      expect(expired.map((e) => e.subject).sort()).toEqual([...orders].sort())
      expect(await level(mug)).toEqual({ available: 30, reserved: 0, onHand: 30 })
      expect(await env.violations()).toEqual([])
    } finally {
      await second.stop()
      env.stack.services.inventory = first
    }
  })
})
