import { type DeliveredEvent, type EventBus, openEventBus } from '@microshop/chassis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { rejectionOf, silentLogger } from '../../../test-support/grpc.js'
import { startTestIdentity, type TestIdentity } from '../../../test-support/identity-service.js'
import { UserRegisteredEvent } from '../src/events/account-events.js'

const PASSWORD = 'correct-horse-battery-9'
let db: TestDatabase
let busDb: TestDatabase
let identity: TestIdentity
let bus: EventBus

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs
  for (;;) {
    const found = probe()
    if (found !== undefined) return found
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const outboxRows = async () =>
  (
    await identity.service.db!.query<{ type: string; subject: string; data: Buffer }>(
      'select type, subject, data from event_outbox order by seq',
    )
  ).rows

beforeAll(async () => {
  ;[db, busDb] = await Promise.all([
    createTestDatabase('identity_events'),
    createTestDatabase('identity_bus'),
  ])
  identity = await startTestIdentity(db.url, { BUS_URL: busDb.url })
  bus = await openEventBus(busDb.url, { log: silentLogger })
})
afterAll(async () => {
  await bus?.close()
  await identity?.stop()
  await Promise.all([db?.drop(), busDb?.drop()])
})

describe('UserRegistered', () => {
  it('when a customer registers, then one identity.UserRegistered.v1 about them is in the outbox', async () => {
    const before = (await outboxRows()).length
    const { user } = await identity.client.call('register', {
      email: ' Events@Example.com',
      password: PASSWORD,
      name: 'Eve Ents',
    })
    const rows = (await outboxRows()).slice(before)
    expect(rows.map((r) => [r.type, r.subject])).toEqual([['identity.UserRegistered.v1', user!.id]])
    expect(UserRegisteredEvent.decode({ type: rows[0]!.type, data: rows[0]!.data })).toEqual({
      userId: user!.id,
      email: 'events@example.com',
      name: 'Eve Ents',
      registeredAt: user!.createdAt,
    })
  })

  it('when a registration is refused, then no event is recorded', async () => {
    const before = (await outboxRows()).length
    await rejectionOf(
      identity.client.call('register', { email: 'events@example.com', password: PASSWORD, name: 'Dup' }),
    )
    await rejectionOf(identity.client.call('register', { email: 'bad', password: PASSWORD, name: 'Bad' }))
    expect(await outboxRows()).toHaveLength(before)
  })

  it('when the first admin is created, then it is not announced as a registration', async () => {
    const rows = await outboxRows()
    const admins = rows.filter((r) => UserRegisteredEvent.decode(r).email === 'admin@microshop.local')
    expect(admins).toEqual([])
  })

  it('when BUS_URL is set, then the relay delivers the event to a consumer group', async () => {
    const received: DeliveredEvent[] = []
    const subscription = await bus.subscribe('identity-test', [UserRegisteredEvent], async (e) => {
      received.push(e)
    })
    try {
      const { user } = await identity.client.call('register', {
        email: 'relayed@example.com',
        password: PASSWORD,
        name: 'Relay',
      })
      const event = await until('the event on the bus', () => received.find((e) => e.subject === user!.id))
      expect(event).toMatchObject({ type: 'identity.UserRegistered.v1', source: '/microshop/identity' })
      expect(UserRegisteredEvent.decode(event).email).toBe('relayed@example.com')
    } finally {
      await subscription.stop()
    }
  })
})
