import { type DeliveredEvent, type EventBus, openEventBus } from '@microshop/chassis'
import type { Product } from '@microshop/contracts/catalog/v1/catalog'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCatalog, type TestCatalog } from '../../../test-support/catalog.js'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { silentLogger } from '../../../test-support/grpc.js'
import { PriceChangedEvent, ProductUpdatedEvent } from '../src/events/catalog-events.js'

const lamp = (patch: Partial<Product> = {}): Product => ({
  id: 'event-lamp',
  name: 'Event Lamp',
  description: 'A lamp that announces itself.',
  price: { amount: 2_500, currency: 'USD' },
  category: 'home',
  imageUrl: '',
  weightGrams: 900,
  updatedAt: '',
  ...patch,
})

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('catalog events', () => {
  let db: TestDatabase
  let busDb: TestDatabase
  let catalog: TestCatalog
  let bus: EventBus
  const received: DeliveredEvent[] = []

  /** Waits until n events arrived, then a little longer, so that a duplicate would show. */
  async function receivedAfter(n: number) {
    const deadline = Date.now() + 10_000
    while (received.length < n && Date.now() < deadline) await pause(25)
    await pause(400)
    return received.map((e) => ({ type: e.type, subject: e.subject, id: e.id }))
  }

  beforeAll(async () => {
    ;[db, busDb] = await Promise.all([
      createTestDatabase('catalog_events'),
      createTestDatabase('catalog_bus'),
    ])
    catalog = await startTestCatalog(db.url, { BUS_URL: busDb.url })
    bus = await openEventBus(busDb.url, { log: silentLogger })
    await bus.subscribe('catalog-events-test', [ProductUpdatedEvent, PriceChangedEvent], async (e) => {
      received.push(e)
    })
  })
  afterAll(async () => {
    await bus?.close()
    await catalog?.stop()
    await Promise.all([db?.drop(), busDb?.drop()])
  })

  it('when a product is created, then one ProductUpdated arrives on the bus, and no PriceChanged', async () => {
    const { created } = await catalog.client.call('upsertProduct', { product: lamp(), createOnly: false })
    expect(created).toBe(true)
    const events = await receivedAfter(1)
    expect(events).toEqual([
      { type: 'catalog.ProductUpdated.v1', subject: 'event-lamp', id: expect.any(String) },
    ])
    const payload = ProductUpdatedEvent.decode(received[0]!)
    expect(payload.created).toBe(true)
    expect(payload.product).toMatchObject({ id: 'event-lamp', name: 'Event Lamp', price: { amount: 2_500 } })
    expect(received[0]!.source).toBe('/microshop/catalog')
  })

  it('when its price changes, then ProductUpdated and PriceChanged arrive once each, in that order', async () => {
    received.length = 0
    await catalog.client.call('upsertProduct', {
      product: lamp({ price: { amount: 1_990, currency: 'USD' } }),
      createOnly: false,
    })
    const events = await receivedAfter(2)
    expect(events.map((e) => e.type)).toEqual(['catalog.ProductUpdated.v1', 'catalog.PriceChanged.v1'])
    expect(new Set(events.map((e) => e.id)).size).toBe(2)
    expect(PriceChangedEvent.decode(received[1]!)).toEqual({
      productId: 'event-lamp',
      previousPrice: { amount: 2_500, currency: 'USD' },
      price: { amount: 1_990, currency: 'USD' },
    })
    expect(ProductUpdatedEvent.decode(received[0]!).created).toBe(false)
  })

  it('when it is replaced at the same price, then only ProductUpdated arrives', async () => {
    received.length = 0
    await catalog.client.call('upsertProduct', {
      product: lamp({ name: 'Event Lamp II', price: { amount: 1_990, currency: 'USD' } }),
      createOnly: false,
    })
    const events = await receivedAfter(1)
    expect(events.map((e) => e.type)).toEqual(['catalog.ProductUpdated.v1'])
    expect(ProductUpdatedEvent.decode(received[0]!).product?.name).toBe('Event Lamp II')
  })

  it('when an upsert is rejected, then nothing is emitted, and every emitted row left the outbox', async () => {
    received.length = 0
    await expect(
      catalog.client.call('upsertProduct', { product: lamp({ category: 'nope' }), createOnly: false }),
    ).rejects.toThrow()
    expect(await receivedAfter(0)).toEqual([])
    const { rows } = await catalog.service.db!.query<{ total: number; unsent: number }>(
      'select count(*)::int as total, count(*) filter (where sent_at is null)::int as unsent from event_outbox',
    )
    expect(rows[0]).toEqual({ total: 4, unsent: 0 })
  })
})
