import { randomUUID } from 'node:crypto'
import { expectFailure } from '@microshop/chassis/testing'
import { events } from '@microshop/contracts/events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type InventoryStack, startInventoryStack } from './fixtures.js'

let env: InventoryStack
const orderId = () => `order-${randomUUID()}`
const { StockLow, StockReserved } = events
const availability = async (...ids: string[]) =>
  Object.fromEntries(
    (await env.inventory.call('getAvailability', { productIds: ids })).levels.map((l) => [
      l.productId,
      { available: l.available, reserved: l.reserved, onHand: l.onHand },
    ]),
  )

beforeAll(async () => {
  env = await startInventoryStack()
})
afterAll(async () => {
  await env?.stop()
})

describe('ReserveStock', () => {
  it('when every line is in stock, then all are held, and StockReserved names the order and its lines', async () => {
    const [mug, tea] = [await env.product(10), await env.product(8)]
    const order = orderId()
    const { reservationId, expiresAt } = await env.inventory.call('reserveStock', {
      orderId: order,
      lines: [
        { productId: mug, quantity: 2 },
        { productId: tea, quantity: 1 },
        { productId: mug, quantity: 1 },
      ],
      ttlSeconds: 60,
    })
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(55_000)
    expect(await availability(mug, tea)).toEqual({
      [mug]: { available: 7, reserved: 3, onHand: 10 },
      [tea]: { available: 7, reserved: 1, onHand: 8 },
    })
    const reserved = (await env.outbox([StockReserved])).filter((e) => e.subject === order)
    expect(reserved).toHaveLength(1)
    expect(StockReserved.payload.decode(reserved[0]!.data)).toEqual({
      orderId: order,
      reservationId,
      lines: [
        { productId: mug, quantity: 3 },
        { productId: tea, quantity: 1 },
      ].sort((a, b) => (a.productId < b.productId ? -1 : 1)),
      expiresAt,
    })
  })

  it('when one line is short, then nothing is held and the error names every short line', async () => {
    const [plenty, few, none] = [await env.product(10), await env.product(2), await env.product(0)]
    const order = orderId()
    const err = await expectFailure(
      env.inventory.call('reserveStock', {
        orderId: order,
        lines: [
          { productId: plenty, quantity: 5 },
          { productId: few, quantity: 3 },
          { productId: none, quantity: 1 },
        ],
        ttlSeconds: 0,
      }),
      { kind: 'failed_precondition', code: 'INVENTORY_OUT_OF_STOCK' },
    )
    expect(err.fields).toEqual([
      { field: few, message: '3 requested, 2 available' },
      { field: none, message: '1 requested, 0 available' },
    ])
    expect(await availability(plenty, few, none)).toEqual({
      [plenty]: { available: 10, reserved: 0, onHand: 10 },
      [few]: { available: 2, reserved: 0, onHand: 2 },
      [none]: { available: 0, reserved: 0, onHand: 0 },
    })
    expect((await env.outbox([StockReserved])).filter((e) => e.subject === order)).toEqual([])
    // the failed order id is not burnt: once there is stock, the same order can reserve
    await env.inventory.call('setStock', { productId: few, onHand: 3 }, env.admin)
    await env.inventory.call('setStock', { productId: none, onHand: 1 }, env.admin)
    await env.inventory.call('reserveStock', {
      orderId: order,
      lines: [
        { productId: plenty, quantity: 5 },
        { productId: few, quantity: 3 },
        { productId: none, quantity: 1 },
      ],
      ttlSeconds: 0,
    })
    expect((await availability(few))[few]).toEqual({ available: 0, reserved: 3, onHand: 3 })
  })

  it('when 20 orders race for the last 3 units, then exactly 3 succeed and availability ends at 0', async () => {
    const scarce = await env.product(3)
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        env.inventory.call('reserveStock', {
          orderId: orderId(),
          lines: [{ productId: scarce, quantity: 1 }],
          ttlSeconds: 0,
        }),
      ),
    )
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { code: string }] : []))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3)
    expect(new Set(failures.map((f) => f.code))).toEqual(new Set(['INVENTORY_OUT_OF_STOCK']))
    expect((await availability(scarce))[scarce]).toEqual({ available: 0, reserved: 3, onHand: 3 })
    expect(await env.violations()).toEqual([])
  })

  it('when the same order reserves again, then it gets the same reservation and nothing more is held', async () => {
    const mug = await env.product(5)
    const order = orderId()
    const request = { orderId: order, lines: [{ productId: mug, quantity: 2 }], ttlSeconds: 0 }
    const first = await env.inventory.call('reserveStock', request)
    const [again, concurrent] = await Promise.all([
      env.inventory.call('reserveStock', request),
      env.inventory.call('reserveStock', request),
    ])
    expect(again).toEqual(first)
    expect(concurrent).toEqual(first)
    expect((await availability(mug))[mug]).toMatchObject({ available: 3, reserved: 2 })
    expect((await env.outbox([StockReserved])).filter((e) => e.subject === order)).toHaveLength(1)
    await expectFailure(
      env.inventory.call('reserveStock', { ...request, lines: [{ productId: mug, quantity: 1 }] }),
      { kind: 'already_exists', code: 'INVENTORY_RESERVATION_EXISTS' },
    )
  })

  it('when the ttl is 0, then the configured default (900 s) applies', async () => {
    const mug = await env.product(5)
    const { expiresAt } = await env.inventory.call('reserveStock', {
      orderId: orderId(),
      lines: [{ productId: mug, quantity: 1 }],
      ttlSeconds: 0,
    })
    const seconds = (new Date(expiresAt).getTime() - Date.now()) / 1000
    expect(seconds).toBeGreaterThan(890)
    expect(seconds).toBeLessThanOrEqual(901)
  })

  it('when a request has no lines, a bad quantity or no order id, then it is refused as invalid', async () => {
    const mug = await env.product(5)
    const invalid = (request: Parameters<typeof env.inventory.call<'reserveStock'>>[1]) =>
      expectFailure(env.inventory.call('reserveStock', request), {
        kind: 'invalid_argument',
        code: 'INVENTORY_INVALID_REQUEST',
      })
    await invalid({ orderId: orderId(), lines: [], ttlSeconds: 0 })
    await invalid({ orderId: orderId(), lines: [{ productId: mug, quantity: 0 }], ttlSeconds: 0 })
    await invalid({ orderId: orderId(), lines: [{ productId: mug, quantity: -2 }], ttlSeconds: 0 })
    await invalid({ orderId: '', lines: [{ productId: mug, quantity: 1 }], ttlSeconds: 0 })
    await invalid({ orderId: orderId(), lines: [{ productId: mug, quantity: 1 }], ttlSeconds: -1 })
    expect((await availability(mug))[mug]).toMatchObject({ available: 5, reserved: 0 })
  })

  it('when availability falls under the threshold, then StockLow is emitted once per crossing', async () => {
    const lamp = await env.product(8)
    const stockLow = async () =>
      (await env.outbox([StockLow]))
        .filter((e) => e.subject === lamp)
        .map((e) => StockLow.payload.decode(e.data))
    const reserve = (quantity: number) =>
      env.inventory.call('reserveStock', {
        orderId: orderId(),
        lines: [{ productId: lamp, quantity }],
        ttlSeconds: 0,
      })
    await reserve(3)
    expect(await stockLow()).toEqual([])
    await reserve(1)
    expect(await stockLow()).toEqual([{ productId: lamp, available: 4, threshold: 5 }])
    await reserve(2)
    expect(await stockLow()).toHaveLength(1)
    await env.inventory.call('setStock', { productId: lamp, onHand: 20 }, env.admin)
    await env.inventory.call('setStock', { productId: lamp, onHand: 7 }, env.admin)
    expect(await stockLow()).toEqual([
      { productId: lamp, available: 4, threshold: 5 },
      { productId: lamp, available: 1, threshold: 5 },
    ])
  })
})

describe('GetAvailability', () => {
  it('when a product is unknown, then it is answered with nothing available, in the order asked', async () => {
    const mug = await env.product(4)
    const { levels } = await env.inventory.call('getAvailability', { productIds: ['no-such-thing', mug] })
    expect(levels).toEqual([
      { productId: 'no-such-thing', available: 0, reserved: 0, onHand: 0 },
      { productId: mug, available: 4, reserved: 0, onHand: 4 },
    ])
  })
})

describe('ReleaseReservation', () => {
  it('when an active reservation is released, then its stock is back, and releasing again changes nothing', async () => {
    const mug = await env.product(6)
    const order = orderId()
    await env.inventory.call('reserveStock', {
      orderId: order,
      lines: [{ productId: mug, quantity: 4 }],
      ttlSeconds: 0,
    })
    expect(await env.inventory.call('releaseReservation', { orderId: order })).toEqual({ released: true })
    expect(await env.inventory.call('releaseReservation', { orderId: order })).toEqual({ released: true })
    expect((await availability(mug))[mug]).toEqual({ available: 6, reserved: 0, onHand: 6 })
    await expectFailure(
      env.inventory.call('reserveStock', {
        orderId: order,
        lines: [{ productId: mug, quantity: 4 }],
        ttlSeconds: 0,
      }),
      { kind: 'failed_precondition', code: 'INVENTORY_RESERVATION_CLOSED' },
    )
    expect(await env.violations()).toEqual([])
  })

  it('when an order releases before it ever reserved, then a late reservation for it is refused', async () => {
    const mug = await env.product(6)
    const order = orderId()
    expect(await env.inventory.call('releaseReservation', { orderId: order })).toEqual({ released: true })
    await expectFailure(
      env.inventory.call('reserveStock', {
        orderId: order,
        lines: [{ productId: mug, quantity: 1 }],
        ttlSeconds: 0,
      }),
      { kind: 'failed_precondition', code: 'INVENTORY_RESERVATION_CLOSED' },
    )
    expect((await availability(mug))[mug]).toMatchObject({ available: 6, reserved: 0 })
  })
})
