import type { DeliveredEvent } from '@microshop/chassis'
import { type EventBus, openEventBus } from '@microshop/chassis/internal'
import { silentLogger, waitFor } from '@microshop/chassis/testing'
import { events } from '@microshop/contracts/events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { rejectionOf } from '../../../test-support/grpc.js'
import { startTestIdentity, type TestIdentity } from '../../../test-support/identity-service.js'

const PASSWORD = 'correct-horse-battery-9'
let db: TestDatabase
let busDb: TestDatabase
let identity: TestIdentity
let bus: EventBus

const { UserRegistered } = events
const decoded = (data: Uint8Array) => UserRegistered.payload.decode(data)

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

describe('DuplicateSignUpAttempted', () => {
  const { DuplicateSignUpAttempted } = events

  it('when someone signs up with a taken email, then its owner is to be told once a day, never the newcomer', async () => {
    const { user: owner } = await identity.client.call('register', {
      email: 'taken@example.com',
      password: PASSWORD,
      name: 'Owner Original',
    })
    const before = (await outboxRows()).length
    const attempt = () =>
      identity.client.call('register', { email: 'Taken@Example.com', password: PASSWORD, name: 'Mallory' })
    await Promise.all([attempt(), attempt(), attempt()])
    const rows = (await outboxRows()).slice(before)
    expect(rows.map((r) => [r.type, r.subject])).toEqual([[DuplicateSignUpAttempted.type, owner!.id]])
    const notice = DuplicateSignUpAttempted.payload.decode(rows[0]!.data)
    expect(notice).toMatchObject({ userId: owner!.id, email: 'taken@example.com', name: 'Owner Original' })
    expect(Date.parse(notice.attemptedAt)).not.toBeNaN()

    // a day after the last notice, the next attempt tells the owner again
    await identity.service.db!.query(
      `update users set duplicate_sign_up_noticed_at = now() - interval '25 hours' where id = $1`,
      [owner!.id],
    )
    await attempt()
    const later = (await outboxRows()).slice(before)
    expect(later.map((r) => r.type)).toEqual([DuplicateSignUpAttempted.type, DuplicateSignUpAttempted.type])
  })
})

describe('UserRegistered', () => {
  it('when a customer registers, then one UserRegistered about them is in the outbox', async () => {
    const before = (await outboxRows()).length
    const { user } = await identity.client.call('register', {
      email: ' Events@Example.com',
      password: PASSWORD,
      name: 'Eve Ents',
    })
    const rows = (await outboxRows()).slice(before)
    expect(rows.map((r) => [r.type, r.subject])).toEqual([[UserRegistered.type, user!.id]])
    expect(decoded(rows[0]!.data)).toEqual({
      userId: user!.id,
      email: 'events@example.com',
      name: 'Eve Ents',
      registeredAt: user!.createdAt,
    })
  })

  it('when a registration is refused, then no event is recorded', async () => {
    const before = (await outboxRows()).length
    await rejectionOf(identity.client.call('register', { email: 'bad', password: PASSWORD, name: 'Bad' }))
    expect(await outboxRows()).toHaveLength(before)
  })

  it('when the first admin is created, then it is not announced as a registration', async () => {
    const rows = await outboxRows()
    const admins = rows.filter((r) => decoded(r.data).email === 'admin@microshop.local')
    expect(admins).toEqual([])
  })

  it('when BUS_URL is set, then the relay delivers the event to a consumer group', async () => {
    const received: DeliveredEvent[] = []
    const subscription = await bus.subscribe('identity-test', [UserRegistered], async (e) => {
      received.push(e)
    })
    try {
      const { user } = await identity.client.call('register', {
        email: 'relayed@example.com',
        password: PASSWORD,
        name: 'Relay',
      })
      const event = await waitFor(() => received.find((e) => e.subject === user!.id), {
        what: 'the event on the bus',
      })
      expect(event).toMatchObject({ type: UserRegistered.type, source: '/microshop/identity' })
      expect(decoded(event.data).email).toBe('relayed@example.com')
    } finally {
      await subscription.stop()
    }
  })
})
