import { randomUUID } from 'node:crypto'
import { expectFailure, waitFor } from '@microshop/chassis/testing'
import { events } from '@microshop/contracts/events'
import { OrderStatus } from '@microshop/contracts/orders/v1/orders'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ORDER_EVENTS_GROUP } from '../src/events/consumers.js'
import { type InventoryStack, startInventoryStack } from './fixtures.js'

// PaymentSucceeded and OrderCancelled travel on the real event log, as payments' and orders' relays publish them.
let env: InventoryStack
const orderId = () => `order-${randomUUID()}`
const { ReservationExpired } = events

const level = async (productId: string) => {
  const { levels } = await env.inventory.call('getAvailability', { productIds: [productId] })
  const { available, reserved, onHand } = levels[0] ?? { available: -1, reserved: -1, onHand: -1 }
  return { available, reserved, onHand }
}

const reserve = (order: string, productId: string, quantity: number, ttlSeconds = 0) =>
  env.inventory.call('reserveStock', { orderId: order, lines: [{ productId, quantity }], ttlSeconds })

const paymentSucceeded = (order: string, id = randomUUID()) =>
  env.publish(
    events.PaymentSucceeded,
    { orderId: order, paymentId: `pay-${order}`, amount: { amount: 1_000, currency: 'USD' } },
    { id },
  )

const orderCancelled = (order: string, reason: string, id = randomUUID()) =>
  env.publish(
    events.OrderCancelled,
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
  const { rows } = await env.db().query<{ status: string; kinds: string[] | null }>(
    `select r.status, array_agg(m.kind order by m.id) filter (where m.id is not null) as kinds
       from reservations r left join stock_movements m on m.reservation_id = r.id
      where r.order_id = $1 group by r.status`,
    [order],
  )
  return { status: rows[0]?.status, kinds: rows[0]?.kinds ?? [] }
}

/**
 * The history once the group has handled `last`, the order's latest event: the order's events share a
 * subject and are handled in order, so every earlier delivery (a duplicate among them) has had its effect.
 */
const historyAfter = async (order: string, last: { id: string }) => {
  await env.handled(ORDER_EVENTS_GROUP, last)
  return history(order)
}

const expiredEvents = async (orders: string[]) =>
  (await env.outbox([ReservationExpired])).filter((e) => orders.includes(e.subject))

/**
 * Waits for a sweep that comes after every expiry due now: a reservation of its own whose time is set to
 * now, behind the API, expires in a sweep that also finds anything due before it, a second expiry among them.
 */
async function sweptAgain() {
  const witness = orderId()
  await reserve(witness, await env.product(1), 1)
  await env.db().query('update reservations set expires_at = now() where order_id = $1', [witness])
  await waitFor(async () => (await expiredEvents([witness])).length > 0, { what: 'the witness expired' })
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
    const id = randomUUID()
    await paymentSucceeded(order, id)
    await paymentSucceeded(order, id)
    // another copy under a new id gets past the inbox: the reservation's status still makes it a no-op
    const copy = await paymentSucceeded(order)
    expect(await historyAfter(order, copy)).toEqual({ status: 'committed', kinds: ['reserved', 'committed'] })
    expect(await level(mug)).toEqual({ available: 6, reserved: 0, onHand: 6 })
    expect(await env.violations()).toEqual([])
  })

  it('when the payment comes after the reservation expired, then nothing is sold', async () => {
    const mug = await env.product(5)
    const order = orderId()
    await reserve(order, mug, 2, 1)
    await waitFor(async () => (await history(order)).status === 'expired', { what: 'the expiry' })
    const late = await paymentSucceeded(order)
    expect(await historyAfter(order, late)).toEqual({ status: 'expired', kinds: ['reserved', 'expired'] })
    expect(await level(mug)).toEqual({ available: 5, reserved: 0, onHand: 5 })
  })
})

describe('OrderCancelled', () => {
  it('when an unpaid order is cancelled, then its reservation is released once, even when delivered twice', async () => {
    const mug = await env.product(7)
    const order = orderId()
    await reserve(order, mug, 3)
    const id = randomUUID()
    await orderCancelled(order, 'payment_failed', id)
    await orderCancelled(order, 'payment_failed', id)
    const copy = await orderCancelled(order, 'payment_failed')
    expect(await historyAfter(order, copy)).toEqual({ status: 'released', kinds: ['reserved', 'released'] })
    expect(await level(mug)).toEqual({ available: 7, reserved: 0, onHand: 7 })
  })

  it('when a paid order is cancelled, then its sold stock is returned exactly once', async () => {
    const mug = await env.product(9)
    const order = orderId()
    await reserve(order, mug, 2)
    const paid = await paymentSucceeded(order)
    expect((await historyAfter(order, paid)).status).toBe('committed')
    expect(await level(mug)).toEqual({ available: 7, reserved: 0, onHand: 7 })
    const id = randomUUID()
    await orderCancelled(order, 'customer_cancelled', id)
    await orderCancelled(order, 'customer_cancelled')
    await orderCancelled(order, 'customer_cancelled', id)
    // one more copy, last on the subject: once it is handled, so is every cancellation before it
    const last = await orderCancelled(order, 'customer_cancelled')
    expect(await historyAfter(order, last)).toEqual({
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
    await orderCancelled(order, 'customer_cancelled')
    const late = await paymentSucceeded(order)
    expect(await historyAfter(order, late)).toEqual({ status: 'released', kinds: ['reserved', 'released'] })
    expect(await level(mug)).toEqual({ available: 4, reserved: 0, onHand: 4 })
  })
})

describe('reservation expiry', () => {
  it('when a reservation outlives its ttl, then its stock is back and ReservationExpired is emitted once', async () => {
    const mug = await env.product(5)
    const order = orderId()
    const { reservationId } = await reserve(order, mug, 5, 1)
    expect(await level(mug)).toEqual({ available: 0, reserved: 5, onHand: 5 })
    const [expired] = await waitFor(async () => {
      const rows = await expiredEvents([order])
      return rows.length > 0 ? rows : undefined
    })
    await sweptAgain()
    expect(await expiredEvents([order])).toHaveLength(1)
    expect(expired && ReservationExpired.payload.decode(expired.data)).toEqual({
      orderId: order,
      reservationId,
    })
    // not before its time: the expiry is stamped at or after expires_at, by the database's clock
    const { rows } = await env
      .db()
      .query<{ on_time: boolean }>(
        'select updated_at >= expires_at as on_time from reservations where order_id = $1',
        [order],
      )
    expect(rows).toEqual([{ on_time: true }])
    expect(await level(mug)).toEqual({ available: 5, reserved: 0, onHand: 5 })
    expect(await history(order)).toEqual({ status: 'expired', kinds: ['reserved', 'expired'] })
    expect(await env.inventory.call('releaseReservation', { orderId: order })).toEqual({ released: true })
    await expectFailure(reserve(order, mug, 5), {
      kind: 'failed_precondition',
      code: 'INVENTORY_RESERVATION_CLOSED',
    })
  })

  it('when a second inventory replica sweeps too, then each reservation still expires exactly once', async () => {
    const first = env.stack.services.inventory
    const second = await env.stack.start('inventory', { INSTANCE_ID: 'inventory-second' })
    try {
      const mug = await env.product(30)
      const orders = Array.from({ length: 10 }, () => orderId())
      for (const order of orders) await reserve(order, mug, 3, 1)
      await waitFor(async () => (await expiredEvents(orders)).length >= orders.length, {
        what: 'every reservation expired',
      })
      await sweptAgain()
      const expired = await expiredEvents(orders)
      expect(expired.map((e) => e.subject).sort()).toEqual([...orders].sort())
      expect(await level(mug)).toEqual({ available: 30, reserved: 0, onHand: 30 })
      expect(await env.violations()).toEqual([])
    } finally {
      await second.stop()
      env.stack.services.inventory = first
    }
  })
})
