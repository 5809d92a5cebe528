import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest'
import { silentLogger } from '../../../../../test-support/grpc.js'
import { AppError } from '../../../src/index.js'
import {
  type CloudEvent,
  createOutbox,
  type DeliveredEvent,
  type EventBus,
  resetInbox,
  startOutboxRelay,
  toCloudEvent,
  withInbox,
} from '../../../src/internal.js'
import { waitFor } from '../../../src/testing.js'
import { type Child, killRunning, startChild } from './child-process.js'
import { restartUntilDeadLetter } from './crash-loop.js'
import type { BusHarness, World } from './harness.js'
import { createWorld } from './harness.js'
import { asCloudEvent, nextOf, publish, subjectsOf, Ticked, Tocked, ticks } from './test-events.js'

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
  const children: Child[] = []
  const child = (script: string, config: Record<string, unknown>) => {
    const started = startChild(script, config)
    children.push(started)
    return started
  }

  beforeEach(async () => {
    world = await createWorld(harness)
    bus = await world.openBus()
  })
  afterEach(async () => {
    killRunning(children)
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
  const effectsOf = async (events: readonly CloudEvent[]) => {
    const ids = new Set(events.map((e) => e.id))
    return (await effects()).filter((e) => ids.has(e.event_id))
  }
  const allHandled = (seen: () => readonly string[], events: readonly CloudEvent[]) => () =>
    events.every((e) => seen().includes(e.id))

  it('when two groups subscribe, then each gets every event (fan-out)', async () => {
    const got = { a: [] as string[], b: [] as string[] }
    await bus.subscribe('fan-a', [Ticked], async (e) => void got.a.push(e.id), fast)
    await bus.subscribe('fan-b', [Ticked], async (e) => void got.b.push(e.id), fast)
    const events = ticks(5, 4).map(asCloudEvent)
    await bus.publish(events)
    const markers = nextOf(subjectsOf(5), 5)
    await bus.publish(markers)
    await waitFor(() => allHandled(() => got.a, markers)() && allHandled(() => got.b, markers)(), {
      what: 'both groups got the markers',
    })
    const ids = events.map((e) => e.id).sort()
    const withoutMarkers = (seen: string[]) => seen.filter((id) => !markers.some((m) => m.id === id)).sort()
    expect(withoutMarkers(got.a)).toEqual(ids)
    expect(withoutMarkers(got.b)).toEqual(ids)
  })

  it('when two instances share a group, then they split the work and each event is handled once', async () => {
    const other = await world.openBus()
    const handledBy: Array<{ id: string; by: string }> = []
    const handler = (by: string) => async (e: DeliveredEvent) => {
      handledBy.push({ id: e.id, by })
      await sleep(3) // a handler that takes a moment, so that both instances have work at once
    }
    await bus.subscribe('shared', [Ticked], handler('first'), { ...fast, concurrency: 4 })
    await other.subscribe('shared', [Ticked], handler('second'), { ...fast, concurrency: 4 })
    const handledIds = () => handledBy.map((h) => h.id)
    // the members have found each other once both got work: rounds of events on new subjects until then
    let round = 0
    await waitFor(
      async () => {
        const warmup = ticks(8, 1).map((e) =>
          asCloudEvent(Ticked.create(`w${round}-${e.subject}`, { subject: e.subject, n: 0 })),
        )
        round++
        await bus.publish(warmup)
        await waitFor(allHandled(handledIds, warmup), { what: 'a warm-up round' })
        return new Set(handledBy.map((h) => h.by)).size === 2
      },
      { what: 'both instances got work' },
    )
    const events = ticks(40, 3).map(asCloudEvent)
    await bus.publish(events)
    const markers = nextOf(subjectsOf(40), 4)
    await bus.publish(markers)
    await waitFor(allHandled(handledIds, markers), { what: 'the 40 markers handled' })
    const ids = new Set(events.map((e) => e.id))
    const real = handledBy.filter((h) => ids.has(h.id))
    expect(real).toHaveLength(120)
    expect(Math.max(...countBy(real, (h) => h.id).values())).toBe(1)
    const perInstance = countBy(real, (h) => h.by)
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
      await sleep(Math.random() * 4) // handlers of uneven length, so that a wrong order would show
      const { subject, n } = Ticked.decode(e)
      seen.set(subject, [...(seen.get(subject) ?? []), n])
      running--
    }
    await bus.subscribe('ordered', [Ticked], handler, { ...fast, concurrency: 4 })
    await other.subscribe('ordered', [Ticked], handler, { ...fast, concurrency: 4 })
    await publish(bus, ticks(8, 25))
    await waitFor(() => [...seen.values()].reduce((sum, ns) => sum + ns.length, 0) >= 200, {
      what: '200 events handled',
    })
    for (let s = 0; s < 8; s++) expect(seen.get(`s${s}`)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
    expect(maxRunning).toBeGreaterThan(1)
  })

  it('when a consumer is killed mid-batch, then its events are redelivered and each has its effect once', async () => {
    const killed = child('./consumer-child.ts', {
      busUrl: world.busUrl,
      serviceDbUrl: world.serviceDbUrl,
      group: 'killed',
      type: Ticked.name,
      killAfter: 10,
      ackTimeoutMs: ACK_TIMEOUT_MS,
    })
    await killed.ready
    const events = ticks(10, 4).map(asCloudEvent)
    await bus.publish(events)
    expect(await killed.exited).toBe('SIGKILL')
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
    const markers = nextOf(subjectsOf(10), 5)
    await bus.publish(markers)
    await waitFor(
      allHandled(() => delivered, markers),
      { what: 'the survivor handled the markers' },
    )
    const all = await effectsOf(events)
    expect(all).toHaveLength(40)
    expect(new Set(all.map((e) => e.event_id)).size).toBe(40)
    // the event the child died on had its effect and no ack: it came back, and the inbox held it off
    expect(delivered.some((id) => byChild.has(id))).toBe(true)
  })

  it('when a handler kills its process every time, then after maxAttempts deliveries the event is in the dead letters (and the others are handled)', {
    timeout: 120_000,
  }, async () => {
    const group = 'crashing'
    const maxAttempts = 3
    const before = ticks(4, 2).map(asCloudEvent)
    const [killer, ...after] = [1, 2, 3].map((n) => asCloudEvent(Ticked.create('k', { subject: 'k', n })))
    const start = () =>
      child('./consumer-child.ts', {
        busUrl: world.busUrl,
        serviceDbUrl: world.serviceDbUrl,
        group,
        type: Ticked.name,
        killOn: killer!.id,
        maxAttempts,
        ackTimeoutMs: ACK_TIMEOUT_MS,
      })
    await bus.publish(before)
    const first = start()
    await waitFor(async () => (await effectsOf(before)).length === before.length, {
      what: 'the events before the killer handled',
    })
    await bus.publish([killer!, ...after])
    const { letters, deaths } = await restartUntilDeadLetter({
      bus,
      group,
      child: first,
      restart: start,
      maxDeaths: maxAttempts,
    })
    expect(deaths).toBe(maxAttempts)
    const which = (id: string) =>
      id === killer!.id
        ? 'killer'
        : after.some((e) => e.id === id)
          ? 'after'
          : before.some((e) => e.id === id)
            ? 'before'
            : id
    expect(
      letters.map((l) => `${which(l.event.id)} ×${l.attempts}: ${l.error}`),
      'the dead letters',
    ).toHaveLength(1)
    expect(letters[0]).toMatchObject({ group, attempts: maxAttempts, event: { id: killer!.id } })
    expect(letters[0]!.error).toBe(
      `delivered ${maxAttempts} times without an outcome (its consumer stopped each time)`,
    )
    // the events behind it on its subject go on
    await waitFor(async () => (await effectsOf(after)).length === after.length, {
      what: 'the events after the killer handled',
    })
    const all = await effectsOf([...before, killer!, ...after])
    expect(all.map((e) => e.event_id).sort()).toEqual([...before, ...after].map((e) => e.id).sort())
  })

  it('when a handler fails with a non-retryable error, then it goes to the dead letters at the first attempt with its code in the reason', async () => {
    const attempts: number[] = []
    const handled: string[] = []
    await bus.subscribe(
      'final',
      [Ticked],
      async (e) => {
        const { subject, n } = Ticked.decode(e)
        if (subject === 's0' && n === 1) {
          attempts.push(e.attempt)
          throw new AppError('failed_precondition', 'TEST_UNDIGESTIBLE', 'this event cannot be handled')
        }
        handled.push(`${subject}#${n}`)
      },
      { ...fast, maxAttempts: 5 },
    )
    await publish(bus, ticks(1, 2))
    // s0#2 waits behind s0#1: once it is handled, s0#1 has had every attempt it will get
    await waitFor(() => handled.includes('s0#2'), { what: 's0#2 handled' })
    expect(attempts).toEqual([1])
    const letters = await bus.deadLetters('final')
    expect(letters).toHaveLength(1)
    expect(letters[0]).toMatchObject({ attempts: 1, event: { subject: 's0' } })
    expect(letters[0]!.error).toContain('TEST_UNDIGESTIBLE')
  })

  it('when a handler fails with a retryable error, then it is retried and then succeeds', async () => {
    const attempts: string[] = []
    await bus.subscribe(
      'transient-failure',
      [Ticked],
      async (e) => {
        const { n } = Ticked.decode(e)
        attempts.push(`#${n} attempt ${e.attempt}`)
        if (n === 1 && e.attempt < 3)
          throw new AppError('unavailable', 'UPSTREAM_UNAVAILABLE', 'a peer is down')
      },
      { ...fast, maxAttempts: 5 },
    )
    await publish(bus, ticks(1, 2)) // #2 waits behind #1: once it is handled, #1 is done
    await waitFor(() => attempts.includes('#2 attempt 1'), { what: '#2 handled' })
    expect(attempts).toEqual(['#1 attempt 1', '#1 attempt 2', '#1 attempt 3', '#2 attempt 1'])
    expect(await bus.deadLetters('transient-failure')).toEqual([])
  })

  it('when the relay is killed between publish and mark-sent, then a new relay resends and no effect is doubled', async () => {
    const outbox = createOutbox({ service: 'test' })
    await world.serviceDb.tx((tx) => outbox.append(tx, ticks(6, 5)))
    const effect = withInbox(world.serviceDb, 'relayed', async (event, tx) => {
      await tx.query("insert into effects (event_id, handler) values ($1, 'consumer')", [event.id])
    })
    const handled: string[] = []
    await bus.subscribe(
      'relayed',
      [Ticked],
      async (e) => {
        await effect(e)
        handled.push(e.id)
      },
      fast,
    )

    const relayChild = child('./relay-child.ts', { busUrl: world.busUrl, serviceDbUrl: world.serviceDbUrl })
    expect(await relayChild.exited).toBe('SIGKILL')
    const unsent = await world.serviceDb.query('select 1 from event_outbox where sent_at is null')
    expect(unsent.rowCount).toBe(30)
    await waitFor(async () => (await effects()).length >= 30, { what: 'the dead relay published all 30' })

    const relay = startOutboxRelay({ db: world.serviceDb, bus, log: silentLogger, pollMs: 200 })
    const markers = ticks(6, 6)
      .slice(30)
      .map((e) => ({ ...e, id: randomUUID() }))
    try {
      await waitFor(
        async () =>
          (await world.serviceDb.query('select 1 from event_outbox where sent_at is null')).rowCount === 0,
        { what: 'the new relay marked every row sent' },
      )
      // sent after the re-sent rows: once they are handled, so is anything the re-send delivered again
      await world.serviceDb.tx((tx) => outbox.append(tx, markers))
      await waitFor(() => markers.every((m) => handled.includes(m.id)), { what: 'the markers handled' })
    } finally {
      await relay.stop()
    }
    const all = await effects()
    expect(all).toHaveLength(36)
    expect(new Set(all.map((e) => e.event_id)).size).toBe(36)
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
    const append = (s: number, n: number) =>
      world.serviceDb.tx((tx) => outbox.append(tx, [Ticked.create(`s${s}`, { subject: `s${s}`, n })]))
    try {
      // concurrent writers, each transaction one event of a subject; the 16th of each is the marker
      await Promise.all(
        Array.from({ length: 4 }, (_, s) =>
          (async () => {
            for (let n = 1; n <= 16; n++) await append(s, n)
          })(),
        ),
      )
      await waitFor(() => [0, 1, 2, 3].every((s) => seen.get(`s${s}`)?.includes(16)), {
        what: 'the 16th event of each subject handled',
      })
    } finally {
      await Promise.all(relays.map((r) => r.stop()))
    }
    expect(ids).toHaveLength(64)
    for (let s = 0; s < 4; s++) expect(seen.get(`s${s}`)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1))
  })

  it('when an event keeps failing, then it goes to the dead letters without blocking the others, and can be re-driven', async () => {
    const handled: string[] = []
    let healed = false
    await bus.subscribe(
      'poisoned',
      [Ticked],
      async (e) => {
        const { subject, n } = Ticked.decode(e)
        if (subject === 's0' && n <= 2 && !healed) throw new Error('cannot digest this')
        handled.push(`${subject}#${n}`)
      },
      { ...fast, maxAttempts: 3 },
    )
    await publish(bus, ticks(5, 4)) // s0#1 and s0#2 are the poison; s0#3 and later wait behind them
    await waitFor(() => handled.length >= 18, { what: 'the 18 good events handled' })
    const letters = await waitFor(
      async () => {
        const list = await bus.deadLetters('poisoned')
        return list.length >= 2 ? list : undefined
      },
      { what: 'two dead letters' },
    )
    expect(letters).toHaveLength(2)
    for (const letter of letters)
      expect(letter).toMatchObject({
        group: 'poisoned',
        attempts: 3,
        event: { subject: 's0', type: Ticked.name },
      })
    expect(letters[0]!.error).toContain('cannot digest this')
    expect(letters[0]!.position).toBeGreaterThan(0)
    expect(letters.map((l) => Ticked.decode(l.event))).toEqual([
      { subject: 's0', n: 1 },
      { subject: 's0', n: 2 },
    ])
    expect(await bus.deadLetters('other-group')).toEqual([])

    healed = true
    expect(await bus.redrive('poisoned')).toBe(2)
    // re-driven in the order they failed: once the second is handled, the first has been
    await waitFor(() => handled.includes('s0#2'), { what: 'the re-driven events handled' })
    expect(await bus.deadLetters('poisoned')).toEqual([])
    expect(handled.filter((h) => h === 's0#1' || h === 's0#2')).toEqual(['s0#1', 's0#2'])
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
    await waitFor(() => positions.length >= 30, { what: '30 events projected' })
    await subscription.stop() // waits for the handlers running now: the 30th projection is committed
    const original = await readModel()
    expect(original).toHaveLength(6)

    await world.serviceDb.tx(async (tx) => {
      await tx.query('delete from prices')
      await resetInbox(tx, group)
    })
    positions.length = 0
    await bus.replay(group, { position: 0 })
    subscription = await run()
    await waitFor(() => positions.length >= 30, { what: '30 events replayed' })
    await subscription.stop()
    expect(await readModel()).toEqual(original)
  })

  it('when a group is replayed from a time, then only the events appended since are delivered again', async () => {
    const got: string[] = []
    let subscription = await bus.subscribe('since', [Ticked], async (e) => void got.push(e.id), fast)
    await publish(bus, ticks(3, 2))
    await waitFor(() => got.length >= 6, { what: 'the first 6 events' })
    // the first events were appended before they were handled; a later millisecond is after all of them
    const handledAt = Date.now()
    const since = await waitFor(() => (Date.now() > handledAt ? new Date() : undefined), {
      what: 'the clock past the first events',
    })
    const later = ticks(3, 3).slice(6).map(asCloudEvent)
    await bus.publish(later)
    await waitFor(() => got.length >= 9, { what: 'the next 3 events' })
    await subscription.stop()

    got.length = 0
    await bus.replay('since', { time: since })
    subscription = await bus.subscribe('since', [Ticked], async (e) => void got.push(e.id), fast)
    const markers = nextOf(subjectsOf(3), 4)
    await bus.publish(markers)
    await waitFor(
      allHandled(() => got, markers),
      { what: 'the markers after the replayed events' },
    )
    expect(got.filter((id) => !markers.some((m) => m.id === id)).sort()).toEqual(
      later.map((e) => e.id).sort(),
    )
    await subscription.stop()
  })

  it('when each replica subscribes a transient group of its own, then each gets every new event, and a stopped one is gone', async () => {
    const other = await world.openBus()
    const got = { a: [] as string[], b: [] as string[] }
    const record = (into: string[]) => async (e: DeliveredEvent) => {
      const { subject, n } = Ticked.decode(e)
      into.push(n === 1 ? subject : `${subject}#${n}`)
    }
    await publish(bus, ticks(2, 1)) // before anyone listened: not for transient groups
    const a = await bus.subscribe('cache-a', [Ticked], record(got.a), { transient: true })
    await other.subscribe('cache-b', [Ticked], record(got.b), { transient: true })
    await publish(bus, [Ticked.create('first', { subject: 'first', n: 1 })])
    await waitFor(() => got.a.length >= 1 && got.b.length >= 1, { what: 'both replicas got it' })
    await a.stop()
    await publish(bus, [Ticked.create('missed', { subject: 'missed', n: 1 })])
    await waitFor(() => got.b.length >= 2, { what: 'the live replica got the second' })
    await bus.subscribe('cache-a', [Ticked], record(got.a), { transient: true })
    await publish(bus, [Ticked.create('third', { subject: 'third', n: 1 })])
    const subjects = ['s0', 's1', 'first', 'missed', 'third']
    await bus.publish(nextOf(subjects, 2))
    const markersSeen = (seen: string[]) => subjects.every((s) => seen.includes(`${s}#2`))
    await waitFor(() => markersSeen(got.a) && markersSeen(got.b), { what: 'both got the markers' })
    const withoutMarkers = (seen: string[]) => seen.filter((s) => !s.endsWith('#2'))
    expect(withoutMarkers(got.a)).toEqual(['first', 'third'])
    expect(withoutMarkers(got.b)).toEqual(['first', 'missed', 'third'])
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
    const [marker] = nextOf(['s9'], 8)
    await bus.publish([marker!])
    await waitFor(() => got.some((e) => e.id === marker!.id), { what: 'the marker after the event' })
    const delivered = got.filter((e) => e.id === event.id)
    expect(delivered).toHaveLength(1)
    const { position, attempt, ...received } = delivered[0]!
    expect(received).toEqual(event)
    expect(position).toBeGreaterThan(0)
    expect(attempt).toBe(1)
    expect(Ticked.decode(received)).toEqual({ subject: 's9', n: 7 })
  })
}
