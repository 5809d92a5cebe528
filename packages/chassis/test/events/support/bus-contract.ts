import { afterAll, afterEach, beforeEach, expect, it } from 'vitest'
import { silentLogger } from '../../../../../test-support/grpc.js'
import {
  createOutbox,
  type DeliveredEvent,
  type EventBus,
  resetInbox,
  startOutboxRelay,
  toCloudEvent,
  withInbox,
} from '../../../src/index.js'
import { startChild } from './child-process.js'
import type { BusHarness, World } from './harness.js'
import { createWorld } from './harness.js'
import { publish, Ticked, Tocked, ticks } from './test-events.js'
import { pause, waitFor } from './wait.js'

// short enough that a killed NATS consumer's event comes back quickly, long enough for a slow CI machine
const ACK_TIMEOUT_MS = 1_500
const fast = { backoffMs: 10, maxBackoffMs: 50, ackTimeoutMs: ACK_TIMEOUT_MS }

const countBy = <T>(items: T[], key: (t: T) => string) => {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1)
  return counts
}

/** The behaviour every event-log adapter must show; each test gets an empty log and a fresh service database. */
export function busContract(harness: BusHarness) {
  let world: World
  let bus: EventBus

  beforeEach(async () => {
    world = await createWorld(harness)
    bus = await world.openBus()
  })
  afterEach(async () => {
    await world?.close()
  })
  afterAll(async () => {
    await harness.cleanup()
  })

  const effects = async () =>
    (
      await world.serviceDb.query<{ event_id: string; handler: string }>(
        'select event_id, handler from effects',
      )
    ).rows

  it('when two groups subscribe, then each gets every event (fan-out)', async () => {
    const got = { a: [] as string[], b: [] as string[] }
    await bus.subscribe('fan-a', [Ticked], async (e) => void got.a.push(e.id), fast)
    await bus.subscribe('fan-b', [Ticked], async (e) => void got.b.push(e.id), fast)
    const events = ticks(5, 4).map((e) => toCloudEvent('/microshop/test', e))
    await bus.publish(events)
    await waitFor(() => got.a.length >= 20 && got.b.length >= 20, { message: 'both groups got 20 events' })
    await pause(200)
    const ids = events.map((e) => e.id).sort()
    expect([...got.a].sort()).toEqual(ids)
    expect([...got.b].sort()).toEqual(ids)
  })

  it('when two instances share a group, then they split the work and each event is handled once', async () => {
    const other = await world.openBus()
    const handledBy: Array<{ id: string; by: string }> = []
    const handler = (by: string) => async (e: DeliveredEvent) => {
      handledBy.push({ id: e.id, by })
      await pause(3)
    }
    await bus.subscribe('shared', [Ticked], handler('first'), { ...fast, concurrency: 4 })
    await other.subscribe('shared', [Ticked], handler('second'), { ...fast, concurrency: 4 })
    await pause(400) // the members find each other and divide the partitions
    await publish(bus, ticks(40, 3))
    await waitFor(() => handledBy.length >= 120, { message: '120 events handled' })
    await pause(300)
    expect(handledBy).toHaveLength(120)
    expect(Math.max(...countBy(handledBy, (h) => h.id).values())).toBe(1)
    const perInstance = countBy(handledBy, (h) => h.by)
    expect(perInstance.get('first')).toBeGreaterThan(0)
    expect(perInstance.get('second')).toBeGreaterThan(0)
  })

  it('when handlers run concurrently on two instances, then each subject is handled in order, subjects in parallel', async () => {
    const other = await world.openBus()
    const seen = new Map<string, number[]>()
    let running = 0
    let maxRunning = 0
    const handler = async (e: DeliveredEvent) => {
      running++
      maxRunning = Math.max(maxRunning, running)
      await pause(Math.random() * 4)
      const { subject, n } = Ticked.decode(e)
      seen.set(subject, [...(seen.get(subject) ?? []), n])
      running--
    }
    await bus.subscribe('ordered', [Ticked], handler, { ...fast, concurrency: 4 })
    await other.subscribe('ordered', [Ticked], handler, { ...fast, concurrency: 4 })
    await publish(bus, ticks(8, 25))
    await waitFor(() => [...seen.values()].reduce((sum, ns) => sum + ns.length, 0) >= 200, {
      message: '200 events handled',
    })
    for (let s = 0; s < 8; s++) expect(seen.get(`s${s}`)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
    expect(maxRunning).toBeGreaterThan(1)
  })

  it('when a consumer is killed mid-batch, then its events are redelivered and each has its effect once', async () => {
    const child = startChild('./consumer-child.ts', {
      busUrl: world.busUrl,
      serviceDbUrl: world.serviceDbUrl,
      group: 'killed',
      type: Ticked.name,
      killAfter: 10,
      ackTimeoutMs: ACK_TIMEOUT_MS,
    })
    await child.ready
    await publish(bus, ticks(10, 4))
    expect(await child.exited).toBe('SIGKILL')
    const byChild = new Set((await effects()).map((e) => e.event_id))
    expect(byChild.size).toBeGreaterThanOrEqual(10)
    expect(byChild.size).toBeLessThan(40)

    const delivered: string[] = []
    const effect = withInbox(world.serviceDb, 'killed', async (event, tx) => {
      await tx.query("insert into effects (event_id, handler) values ($1, 'survivor')", [event.id])
    })
    await bus.subscribe(
      'killed',
      [Ticked],
      async (e) => {
        delivered.push(e.id)
        await effect(e)
      },
      fast,
    )
    await waitFor(async () => (await effects()).length >= 40, { message: 'every event had its effect' })
    await pause(300)
    const all = await effects()
    expect(all).toHaveLength(40)
    expect(new Set(all.map((e) => e.event_id)).size).toBe(40)
    // the event the child died on had its effect and no ack: it came back, and the inbox held it off
    expect(delivered.some((id) => byChild.has(id))).toBe(true)
  })

  it('when the relay is killed between publish and mark-sent, then a new relay resends and no effect is doubled', async () => {
    const outbox = createOutbox({ service: 'test' })
    await world.serviceDb.tx((tx) => outbox.append(tx, ticks(6, 5)))
    const effect = withInbox(world.serviceDb, 'relayed', async (event, tx) => {
      await tx.query("insert into effects (event_id, handler) values ($1, 'consumer')", [event.id])
    })
    const delivered: string[] = []
    await bus.subscribe(
      'relayed',
      [Ticked],
      async (e) => {
        delivered.push(e.id)
        await effect(e)
      },
      fast,
    )

    const child = startChild('./relay-child.ts', { busUrl: world.busUrl, serviceDbUrl: world.serviceDbUrl })
    expect(await child.exited).toBe('SIGKILL')
    const unsent = await world.serviceDb.query('select 1 from event_outbox where sent_at is null')
    expect(unsent.rowCount).toBe(30)
    await waitFor(async () => (await effects()).length >= 30, { message: 'the dead relay published all 30' })

    const relay = startOutboxRelay({ db: world.serviceDb, bus, log: silentLogger, pollMs: 200 })
    try {
      await waitFor(
        async () =>
          (await world.serviceDb.query('select 1 from event_outbox where sent_at is null')).rowCount === 0,
        { message: 'the new relay marked every row sent' },
      )
      await pause(500)
    } finally {
      await relay.stop()
    }
    const all = await effects()
    expect(all).toHaveLength(30)
    expect(new Set(all.map((e) => e.event_id)).size).toBe(30)
  })

  it('when two relays serve one outbox, then every row is published once and each subject stays in order', async () => {
    const outbox = createOutbox({ service: 'test' })
    const relays = [
      startOutboxRelay({ db: world.serviceDb, bus, log: silentLogger, pollMs: 200, batchSize: 7 }),
      startOutboxRelay({ db: world.serviceDb, bus: await world.openBus(), log: silentLogger, batchSize: 7 }),
    ]
    const seen = new Map<string, number[]>()
    const ids: string[] = []
    await bus.subscribe(
      'two-relays',
      [Ticked],
      async (e) => {
        ids.push(e.id)
        const { subject, n } = Ticked.decode(e)
        seen.set(subject, [...(seen.get(subject) ?? []), n])
      },
      fast,
    )
    try {
      // concurrent writers, each transaction one event of a subject
      await Promise.all(
        Array.from({ length: 4 }, (_, s) =>
          (async () => {
            for (let n = 1; n <= 15; n++)
              await world.serviceDb.tx((tx) =>
                outbox.append(tx, [Ticked.create(`s${s}`, { subject: `s${s}`, n })]),
              )
          })(),
        ),
      )
      await waitFor(() => ids.length >= 60, { message: '60 events handled' })
      await pause(300)
    } finally {
      await Promise.all(relays.map((r) => r.stop()))
    }
    expect(ids).toHaveLength(60)
    for (let s = 0; s < 4; s++) expect(seen.get(`s${s}`)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1))
  })

  it('when an event keeps failing, then it goes to the dead letters without blocking the others, and can be re-driven', async () => {
    const handled: string[] = []
    let healed = false
    await bus.subscribe(
      'poisoned',
      [Ticked],
      async (e) => {
        if (e.subject === 's0' && Ticked.decode(e).n === 1 && !healed) throw new Error('cannot digest this')
        handled.push(`${e.subject}#${Ticked.decode(e).n}`)
      },
      { ...fast, maxAttempts: 3 },
    )
    await publish(bus, ticks(5, 4)) // the first is s0#1, the poison; s0#2 and later wait behind it
    await waitFor(() => handled.length >= 19, { message: 'the 19 good events handled' })
    const letters = await waitFor(
      async () => {
        const list = await bus.deadLetters('poisoned')
        return list.length > 0 ? list : undefined
      },
      { message: 'a dead letter' },
    )
    expect(letters).toHaveLength(1)
    expect(letters[0]).toMatchObject({
      group: 'poisoned',
      attempts: 3,
      event: { subject: 's0', type: Ticked.name },
    })
    expect(letters[0]!.error).toContain('cannot digest this')
    expect(letters[0]!.position).toBeGreaterThan(0)
    expect(Ticked.decode(letters[0]!.event)).toEqual({ subject: 's0', n: 1 })
    expect(await bus.deadLetters('other-group')).toEqual([])

    healed = true
    expect(await bus.redrive('poisoned')).toBe(1)
    await waitFor(() => handled.includes('s0#1'), { message: 'the re-driven event handled' })
    expect(await bus.deadLetters('poisoned')).toEqual([])
    await pause(200)
    expect(handled.filter((h) => h === 's0#1')).toHaveLength(1)
  })

  it('when a group is replayed from the start, then it rebuilds a read model identical to the original', async () => {
    const group = 'prices'
    await world.serviceDb.query(
      'create table prices (subject text primary key, n int not null, updates int not null)',
    )
    const project = withInbox(world.serviceDb, group, async (e, tx) => {
      const { subject, n } = Ticked.decode(e)
      await tx.query(
        `insert into prices (subject, n, updates) values ($1, $2, 1)
         on conflict (subject) do update set n = excluded.n, updates = prices.updates + 1`,
        [subject, n],
      )
    })
    const readModel = async () =>
      (await world.serviceDb.query('select subject, n, updates from prices order by subject')).rows
    const positions: number[] = []
    const run = () =>
      bus.subscribe(
        group,
        [Ticked],
        async (e) => {
          positions.push(e.position)
          await project(e)
        },
        fast,
      )

    let subscription = await run()
    await publish(bus, [...ticks(6, 5), ...ticks(2, 1, Tocked)])
    await waitFor(() => positions.length >= 30, { message: '30 events projected' })
    await pause(200)
    await subscription.stop()
    const original = await readModel()
    expect(original).toHaveLength(6)

    await world.serviceDb.tx(async (tx) => {
      await tx.query('delete from prices')
      await resetInbox(tx, group)
    })
    positions.length = 0
    await bus.replay(group, { position: 0 })
    subscription = await run()
    await waitFor(() => positions.length >= 30, { message: '30 events replayed' })
    await pause(200)
    expect(await readModel()).toEqual(original)
    await subscription.stop()
  })

  it('when a group is replayed from a time, then only the events appended since are delivered again', async () => {
    const got: string[] = []
    let subscription = await bus.subscribe('since', [Ticked], async (e) => void got.push(e.id), fast)
    await publish(bus, ticks(3, 2))
    await waitFor(() => got.length >= 6, { message: 'the first 6 events' })
    await pause(50)
    const since = new Date()
    await pause(50)
    const later = ticks(3, 1).map((e) => toCloudEvent('/microshop/test', e))
    await bus.publish(later)
    await waitFor(() => got.length >= 9, { message: 'the next 3 events' })
    await subscription.stop()

    got.length = 0
    await bus.replay('since', { time: since })
    subscription = await bus.subscribe('since', [Ticked], async (e) => void got.push(e.id), fast)
    await waitFor(() => got.length >= 3, { message: 'the 3 later events again' })
    await pause(300)
    expect(got.sort()).toEqual(later.map((e) => e.id).sort())
    await subscription.stop()
  })

  it('when each replica subscribes a transient group of its own, then each gets every new event, and a stopped one is gone', async () => {
    const other = await world.openBus()
    const got = { a: [] as string[], b: [] as string[] }
    await publish(bus, ticks(2, 1)) // before anyone listened: not for transient groups
    const a = await bus.subscribe('cache-a', [Ticked], async (e) => void got.a.push(e.subject), {
      transient: true,
    })
    await other.subscribe('cache-b', [Ticked], async (e) => void got.b.push(e.subject), { transient: true })
    await publish(bus, [Ticked.create('first', { subject: 'first', n: 1 })])
    await waitFor(() => got.a.length >= 1 && got.b.length >= 1, { message: 'both replicas got it' })
    await a.stop()
    await publish(bus, [Ticked.create('missed', { subject: 'missed', n: 1 })])
    await waitFor(() => got.b.length >= 2, { message: 'the live replica got the second' })
    await bus.subscribe('cache-a', [Ticked], async (e) => void got.a.push(e.subject), { transient: true })
    await publish(bus, [Ticked.create('third', { subject: 'third', n: 1 })])
    await waitFor(() => got.a.length >= 2 && got.b.length >= 3, { message: 'both got the third' })
    await pause(300)
    expect(got.a).toEqual(['first', 'third'])
    expect(got.b).toEqual(['first', 'missed', 'third'])
  })

  it('when an event is published twice or carries attributes unknown here, then it is delivered once, intact', async () => {
    const got: DeliveredEvent[] = []
    await bus.subscribe('envelope', [Ticked], async (e) => void got.push(e), fast)
    const event = toCloudEvent(
      '/microshop/test',
      Ticked.create(
        's9',
        { subject: 's9', n: 7 },
        { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      ),
    )
    event.extensions = { tenant: 'acme', comexampleflag: 'yes' }
    await bus.publish([event])
    await bus.publish([event])
    await waitFor(() => got.length >= 1, { message: 'the event' })
    await pause(300)
    expect(got).toHaveLength(1)
    const { position, attempt, ...received } = got[0]!
    expect(received).toEqual(event)
    expect(position).toBeGreaterThan(0)
    expect(attempt).toBe(1)
    expect(Ticked.decode(received)).toEqual({ subject: 's9', n: 7 })
  })
}
