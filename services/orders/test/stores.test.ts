import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { Db, Emit } from '@microshop/chassis'
import {
  createDb,
  createOutbox,
  ensureEventTables,
  runMigrations,
  toNewEvent,
} from '@microshop/chassis/internal'
import { silentLogger } from '@microshop/chassis/testing'
import { events } from '@microshop/contracts/events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { type AppliedEvent, createOrderStream, publishAppended } from '../src/app/order-stream.js'
import { decideCancel, type OrderEvent } from '../src/domain/order.js'
import { toContractEvents } from '../src/events/order-events.js'
import { eventStore, StreamConflict } from '../src/store/event-store.js'
import { idempotencyStore as keys } from '../src/store/idempotency-store.js'

let database: TestDatabase
let db: Db
const outbox = createOutbox({ service: 'orders' })
// what emitterOf(events, toContractEvents) does in the service, straight into the outbox
const emit: Emit<AppliedEvent> = (tx, applied) =>
  outbox.append(tx, applied.flatMap(toContractEvents).map(toNewEvent))
const stream = createOrderStream({ emit, log: silentLogger })
/** Another writer: its own transaction, committed. */
const appendElsewhere = (orderId: string, version: number, list: OrderEvent[]) =>
  db.tx((tx) => eventStore.append(tx, orderId, version, list))
const usd = (amount: number) => ({ amount, currency: 'USD' })

const placed = (orderId: string): OrderEvent => ({
  type: 'OrderPlaced',
  data: {
    orderId,
    userId: 'user-1',
    email: 'ada@example.com',
    lines: [
      {
        productId: 'p1',
        name: 'Lamp',
        quantity: 1,
        unitPrice: usd(100),
        lineTotal: usd(100),
        weightGrams: 1,
      },
    ],
    subtotal: usd(100),
    shipping: usd(0),
    total: usd(100),
    shippingAddress: {
      name: 'Ada',
      line1: '1 Main St',
      line2: '',
      city: 'X',
      region: '',
      postalCode: '1',
      country: 'US',
      phone: '',
    },
    paymentToken: 'tok',
    paymentSummary: 'visa •••• 4242',
    reservationId: 'r1',
    reservationExpiresAt: '',
  },
})
const confirmed: OrderEvent = { type: 'OrderConfirmed', data: { paymentId: 'pay', amount: usd(100) } }

async function newOrder() {
  const orderId = randomUUID()
  await db.tx(async (tx) =>
    publishAppended(tx, emit, undefined, await eventStore.append(tx, orderId, 0, [placed(orderId)])),
  )
  return orderId
}

beforeAll(async () => {
  database = await createTestDatabase('orders_stores')
  db = createDb(database.url, { log: silentLogger })
  await runMigrations(db, join(import.meta.dirname, '../src/store/migrations'), silentLogger)
  await ensureEventTables(db)
})
afterAll(async () => {
  await db?.close()
  await database?.drop()
})

describe('the order event store', () => {
  it('when two writers append at the same version, then the second gets a StreamConflict and the stream keeps one', async () => {
    const orderId = await newOrder()
    await appendElsewhere(orderId, 1, [confirmed])
    await expect(appendElsewhere(orderId, 1, [confirmed])).rejects.toBeInstanceOf(StreamConflict)
    expect((await eventStore.load(db, orderId)).map((e) => [e.version, e.type])).toEqual([
      [1, 'OrderPlaced'],
      [2, 'OrderConfirmed'],
    ])
  })

  it('when only the first of two appended versions is taken, then the append leaves neither, and its transaction goes on', async () => {
    const orderId = await newOrder()
    await appendElsewhere(orderId, 1, [confirmed])
    const shipped: OrderEvent = {
      type: 'OrderShipped',
      data: { shipmentId: 's', trackingNumber: 't', carrier: 'c' },
    }
    // versions 2 and 3 at expected version 1: 2 is taken, 3 is free and must not stay behind
    const after = await db.tx(async (tx) => {
      await expect(eventStore.append(tx, orderId, 1, [confirmed, shipped])).rejects.toBeInstanceOf(
        StreamConflict,
      )
      // not aborted: the transaction still works, and sees the stream without the rejected append
      return (await eventStore.load(tx, orderId)).map((e) => e.version)
    })
    expect(after).toEqual([1, 2])
    expect((await eventStore.load(db, orderId)).map((e) => [e.version, e.type])).toEqual([
      [1, 'OrderPlaced'],
      [2, 'OrderConfirmed'],
    ])
  })

  it('when another writer appends between the read and the append, then the command is decided again on the new state', async () => {
    const orderId = await newOrder()
    let decisions = 0
    const change = await db.tx((tx) =>
      stream.change(tx, orderId, async (order) => {
        // the first time, a payment lands (another connection, committed) just after this command read the stream
        if (++decisions === 1) await appendElsewhere(orderId, 1, [confirmed])
        return decideCancel(order!)
      }),
    )
    expect(decisions).toBe(2)
    expect(change.after).toMatchObject({ status: 'CANCELLED', version: 3 })
    const stored = await eventStore.load(db, orderId)
    expect(stored.map((e) => e.type)).toEqual(['OrderPlaced', 'OrderConfirmed', 'OrderCancelled'])
    expect(stored[2]!.data).toMatchObject({ previousStatus: 'CONFIRMED', reason: 'customer_cancelled' })
    const { rows } = await db.query<{ data: Buffer }>(
      `select data from event_outbox where subject = $1 and type = $2`,
      [orderId, events.OrderCancelled.type],
    )
    expect(rows.map((r) => events.OrderCancelled.payload.decode(r.data))).toMatchObject([
      { orderId, reason: 'customer_cancelled', previousStatus: 2 },
    ])
    const summary = await db.query('select status, version from order_summaries where order_id = $1', [
      orderId,
    ])
    expect(summary.rows).toEqual([{ status: 'CANCELLED', version: 3 }])
  })

  it('when the stream moves again on the retry, then the command gives up with ORDERS_CONCURRENT_UPDATE and writes nothing', async () => {
    const orderId = await newOrder()
    let version = 1
    const attempt = db.tx((tx) =>
      stream.change(tx, orderId, async () => {
        await appendElsewhere(orderId, version, [
          version === 1
            ? confirmed
            : { type: 'OrderShipped', data: { shipmentId: 's', trackingNumber: 't', carrier: 'c' } },
        ])
        version++
        return [
          {
            type: 'OrderCancelled',
            data: { reason: 'customer_cancelled', previousStatus: 'CONFIRMED', detail: '' },
          },
        ]
      }),
    )
    await expect(attempt).rejects.toMatchObject({ kind: 'conflict', code: 'ORDERS_CONCURRENT_UPDATE' })
    expect((await eventStore.load(db, orderId)).map((e) => e.type)).toEqual([
      'OrderPlaced',
      'OrderConfirmed',
      'OrderShipped',
    ])
  })

  it('when an id is not a uuid, then the stream is empty rather than an error', async () => {
    expect(await eventStore.load(db, 'not-an-order')).toEqual([])
  })
})

describe('the idempotency keys', () => {
  const response = { orderId: randomUUID(), status: 'PENDING_PAYMENT' }
  // a claim commits at once, in a transaction of its own, as PlaceOrder runs it
  const claimKey = (userId: string, key: string, fingerprint: string, holdSeconds: number) =>
    db.tx((tx) => keys.claim(tx, userId, key, fingerprint, holdSeconds))

  it('when a key is claimed, then a second claim sees it in flight, then completed with the response', async () => {
    const claim = await claimKey('u1', 'k1', 'print-a', 60)
    expect(claim.kind).toBe('claimed')
    expect(await claimKey('u1', 'k1', 'print-a', 60)).toEqual({ kind: 'in_flight', fingerprint: 'print-a' })
    if (claim.kind !== 'claimed') throw new Error('unreachable')
    expect(await db.tx((tx) => keys.complete(tx, 'u1', 'k1', claim.claimId, response))).toBe(true)
    expect(await claimKey('u1', 'k1', 'print-b', 60)).toEqual({
      kind: 'completed',
      fingerprint: 'print-a',
      response,
    })
    expect((await claimKey('u2', 'k1', 'print-a', 60)).kind).toBe('claimed')
  })

  it('when a claim outlives its hold (its process died), then the next attempt takes it over and the old one can no longer finish', async () => {
    const first = await claimKey('u3', 'k', 'print', 1)
    await db.query(
      `update idempotency_keys set claimed_until = now() - interval '1 second' where user_id = 'u3'`,
    )
    const second = await claimKey('u3', 'k', 'print', 60)
    expect(second.kind).toBe('claimed')
    if (first.kind !== 'claimed' || second.kind !== 'claimed') throw new Error('unreachable')
    expect(await db.tx((tx) => keys.complete(tx, 'u3', 'k', first.claimId, response))).toBe(false)
    await db.tx((tx) => keys.release(tx, 'u3', 'k', first.claimId))
    expect(await claimKey('u3', 'k', 'print', 60)).toEqual({ kind: 'in_flight', fingerprint: 'print' })
  })

  it('when keys are older than the retention, then pruning forgets them and keeps the young ones', async () => {
    for (const key of ['old', 'young']) {
      const claim = await claimKey('u4', key, 'print', 60)
      if (claim.kind !== 'claimed') throw new Error('unreachable')
      await db.tx((tx) => keys.complete(tx, 'u4', key, claim.claimId, response))
    }
    await db.query(`update idempotency_keys set created_at = now() - interval '25 hours' where key = 'old'`)
    expect(await db.tx((tx) => keys.prune(tx, 24 * 3_600))).toBe(1)
    const { rows } = await db.query(`select key from idempotency_keys where user_id = 'u4'`)
    expect(rows).toEqual([{ key: 'young' }])
  })
})
