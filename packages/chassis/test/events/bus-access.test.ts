import { events } from '@microshop/contracts/events'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../../test-support/db.js'
import { silentLogger } from '../../../../test-support/grpc.js'
import { createServiceRole, type TestRole } from '../../../../test-support/roles.js'
import { AppError } from '../../src/errors.js'
import { eventOf } from '../../src/index.js'
import {
  type CloudEvent,
  type EventBus,
  eventSource,
  openEventBus,
  secureBus,
  toCloudEvent,
  toNewEvent,
} from '../../src/internal.js'
import { waitFor } from '../../src/testing.js'

// The bus as provisioned: its tables owned by one role, each service logging in as a role of its own.
let busDb: TestDatabase
let owner: pg.Pool
let orders: TestRole
let payments: TestRole
const opened: Array<{ close(): Promise<unknown> }> = []

const orderCreated = (orderId: string, source = eventSource('orders')): CloudEvent =>
  toCloudEvent(
    source,
    toNewEvent(
      eventOf(events.OrderCreated, {
        orderId,
        userId: 'u-1',
        email: '',
        lines: [],
        total: { amount: 100, currency: 'USD' },
        paymentToken: '',
        createdAt: '',
      } as never),
    ),
  )
const paymentSucceeded = (orderId: string, source: string): CloudEvent =>
  toCloudEvent(
    source,
    toNewEvent(
      eventOf(events.PaymentSucceeded, { orderId, paymentId: 'p', amount: { amount: 100, currency: 'USD' } }),
    ),
  )

const busOf = async (role: TestRole): Promise<EventBus> => {
  const bus = await openEventBus(role.urlOf(busDb), { log: silentLogger, pollMs: 100 })
  opened.push(bus)
  return bus
}
const sessionOf = async (role: TestRole) => {
  const pool = new pg.Pool({ connectionString: role.urlOf(busDb), max: 1 })
  opened.push({ close: () => pool.end() })
  return pool
}
const logged = async (id: string) =>
  (await owner.query('select 1 from bus_events where id = $1', [id])).rowCount ?? 0

beforeAll(async () => {
  busDb = await createTestDatabase('bus_access')
  owner = new pg.Pool({ connectionString: busDb.url, max: 2 })
  ;[orders, payments] = await Promise.all([
    createServiceRole('orders', [busDb]),
    createServiceRole('payments', [busDb]),
  ])
  await secureBus(owner, [orders, payments])
})
afterAll(async () => {
  for (const o of opened.reverse()) await o.close()
  await owner?.end()
  await busDb?.drop()
})

describe('the event log with a role per service', () => {
  it('when a service role appends an event type another service owns, then the database refuses it; its own type goes in only with its own source', async () => {
    const bus = await busOf(orders)
    const forged = paymentSucceeded('o-forged', eventSource('payments'))
    await expect(bus.publish([forged])).rejects.toThrow(/row-level security/)
    await expect(bus.publish([paymentSucceeded('o-forged', eventSource('orders'))])).rejects.toThrow(
      /row-level security/,
    )
    await expect(bus.publish([orderCreated('o-1', eventSource('payments'))])).rejects.toThrow(
      /row-level security/,
    )
    // nothing of a refused batch is appended, the genuine event in it included
    const genuine = orderCreated('o-1')
    await expect(bus.publish([genuine, forged])).rejects.toThrow(/row-level security/)
    expect(await logged(genuine.id)).toBe(0)
    await bus.publish([genuine])
    expect(await logged(genuine.id)).toBe(1)
    expect(await logged(forged.id)).toBe(0)
  })

  it("when a service role consumes, then it reads other services' events in groups named after it, keeps their positions and dead letters, and cannot take another's group", async () => {
    const ordersBus = await busOf(orders)
    const paymentsBus = await busOf(payments)
    const seen: string[] = []
    const subscription = await paymentsBus.subscribe(
      'payments-charges',
      [events.OrderCreated],
      async (event) => {
        seen.push(event.subject)
        if (event.subject === 'o-bad' && event.attempt === 1)
          throw new AppError('invalid_argument', 'TEST_BAD', 'refused once')
      },
      { maxAttempts: 2, backoffMs: 1 },
    )
    await ordersBus.publish([orderCreated('o-bad'), orderCreated('o-2')])
    await waitFor(() => seen.includes('o-2'))
    const [letter] = await waitFor(async () => {
      const letters = await paymentsBus.deadLetters('payments-charges')
      return letters.length > 0 ? letters : undefined
    })
    expect(letter).toMatchObject({ event: { subject: 'o-bad' } })
    // a redrive appends to the log for its own group: allowed, whatever the type's owner
    expect(await paymentsBus.redrive('payments-charges')).toBe(1)
    await waitFor(() => seen.filter((s) => s === 'o-bad').length === 2)
    await waitFor(async () => (await subscription.lag()).events === 0)
    await subscription.stop()
    await paymentsBus.replay('payments-charges', { position: 1 })

    // orders cannot join, read the positions of, or move payments' group
    await expect(
      ordersBus.subscribe('payments-charges', [events.OrderCreated], async () => undefined),
    ).rejects.toThrow(/row-level security policy for table "bus_groups"/)
    const ordersSql = await sessionOf(orders)
    const moved = await ordersSql.query('update bus_positions set position = 0')
    expect(moved.rowCount).toBe(0)
    expect((await ordersSql.query('select * from bus_groups')).rowCount).toBe(0)
    expect((await ordersSql.query('delete from bus_dead_letters')).rowCount).toBe(0)
    const groupId = (await owner.query("select id from bus_groups where name = 'payments-charges'")).rows[0]
      .id
    await expect(
      ordersSql.query(
        `insert into bus_events (seq, partition, id, type, source, subject, time, datacontenttype, data, target_group)
         values (nextval('bus_event_seq'), 0, 'aimed', 'payments.PaymentSucceeded.v1', '/microshop/payments', 'o-2',
                 'now', 'application/protobuf', '', $1)`,
        [groupId],
      ),
    ).rejects.toThrow(/row-level security/)
    // its own groups are its own: named orders or orders-…
    const own = await ordersBus.subscribe('orders-saga', [events.OrderCreated], async () => undefined)
    await own.stop()
  })

  it('when a service role prunes, then it deletes nothing younger than the retention', async () => {
    const ordersSql = await sessionOf(orders)
    const before = (await owner.query('select count(*)::int as n from bus_events')).rows[0].n
    expect(before).toBeGreaterThan(0)
    expect((await ordersSql.query('delete from bus_events')).rowCount).toBe(0)
    await owner.query("update bus_events set appended_at = now() - interval '8 days'")
    expect((await ordersSql.query('delete from bus_events')).rowCount).toBe(before)
  })
})
