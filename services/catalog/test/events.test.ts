import type { DeliveredEvent } from '@microshop/chassis'
import { type EventBus, openEventBus } from '@microshop/chassis/internal'
import { eventually, expectFailure, waitFor } from '@microshop/chassis/testing'
import type { Product } from '@microshop/contracts/catalog/v1/catalog'
import { events } from '@microshop/contracts/events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCatalog, type TestCatalog } from '../../../test-support/catalog.js'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { silentLogger } from '../../../test-support/grpc.js'

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

const { ProductUpdated, PriceChanged } = events
const decoded = <T>(contract: { payload: { decode(data: Uint8Array): T } }, e: DeliveredEvent) =>
  contract.payload.decode(e.data)

describe('catalog events', () => {
  let db: TestDatabase
  let busDb: TestDatabase
  let catalog: TestCatalog
  let bus: EventBus
  const received: DeliveredEvent[] = []

  let witnesses = 0
  /**
   * The events that arrived before a witness: one more change of the same product (the same subject, so
   * its event comes after every earlier one); a duplicate of an earlier event would be among them.
   */
  async function receivedBeforeWitness() {
    const name = `Witness ${++witnesses}`
    await catalog.client.call('upsertProduct', { product: lamp({ name, price: current }), createOnly: false })
    const isWitness = (e: DeliveredEvent) =>
      e.type === ProductUpdated.type && decoded(ProductUpdated, e).product?.name === name
    await waitFor(() => received.some(isWitness), { what: `the ProductUpdated of ${name}` })
    const before = received.splice(0).filter((e) => !isWitness(e))
    return before.map((e) => ({ type: e.type, subject: e.subject, id: e.id }))
  }
  let current = { amount: 2_500, currency: 'USD' }

  beforeAll(async () => {
    ;[db, busDb] = await Promise.all([
      createTestDatabase('catalog_events'),
      createTestDatabase('catalog_bus'),
    ])
    catalog = await startTestCatalog(db.url, { BUS_URL: busDb.url })
    bus = await openEventBus(busDb.url, { log: silentLogger })
    await bus.subscribe('catalog-events-test', [ProductUpdated, PriceChanged], async (e) => {
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
    const first = await waitFor(() => received[0])
    expect(first.source).toBe('/microshop/catalog')
    const payload = decoded(ProductUpdated, first)
    expect(payload.created).toBe(true)
    expect(payload.product).toMatchObject({ id: 'event-lamp', name: 'Event Lamp', price: { amount: 2_500 } })
    expect(await receivedBeforeWitness()).toEqual([
      { type: ProductUpdated.type, subject: 'event-lamp', id: first.id },
    ])
  })

  it('when its price changes, then ProductUpdated and PriceChanged arrive once each, in that order', async () => {
    await catalog.client.call('upsertProduct', {
      product: lamp({ price: { amount: 1_990, currency: 'USD' } }),
      createOnly: false,
    })
    const [updated, changed] = await waitFor(() => (received.length >= 2 ? received.slice(0, 2) : undefined))
    expect(decoded(PriceChanged, changed!)).toEqual({
      productId: 'event-lamp',
      previousPrice: { amount: 2_500, currency: 'USD' },
      price: { amount: 1_990, currency: 'USD' },
    })
    expect(decoded(ProductUpdated, updated!).created).toBe(false)
    current = { amount: 1_990, currency: 'USD' }
    const arrived = await receivedBeforeWitness()
    expect(arrived.map((e) => e.type)).toEqual([ProductUpdated.type, PriceChanged.type])
    expect(new Set(arrived.map((e) => e.id)).size).toBe(2)
  })

  it('when it is replaced at the same price, then only ProductUpdated arrives', async () => {
    await catalog.client.call('upsertProduct', {
      product: lamp({ name: 'Event Lamp II', price: { amount: 1_990, currency: 'USD' } }),
      createOnly: false,
    })
    const first = await waitFor(() => received[0])
    expect(decoded(ProductUpdated, first).product?.name).toBe('Event Lamp II')
    expect((await receivedBeforeWitness()).map((e) => e.type)).toEqual([ProductUpdated.type])
  })

  it('when an upsert is rejected, then nothing is emitted, and every emitted row left the outbox', async () => {
    await expectFailure(
      catalog.client.call('upsertProduct', { product: lamp({ category: 'nope' }), createOnly: false }),
      'CATALOG_INVALID_PRODUCT',
    )
    expect(await receivedBeforeWitness()).toEqual([])
    // four changes and four witnesses: eight events, all marked sent by the relay soon after it published them
    await eventually(async () => {
      const { rows } = await catalog.service.db!.query<{ total: number; unsent: number }>(
        'select count(*)::int as total, count(*) filter (where sent_at is null)::int as unsent from event_outbox',
      )
      expect(rows[0]).toEqual({ total: 8, unsent: 0 })
    })
  })
})
