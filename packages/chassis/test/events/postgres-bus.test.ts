import pg from 'pg'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Queryable } from '../../src/db.js'
import { partitionOf } from '../../src/events/cloud-event.js'
import { PARTITIONS } from '../../src/events/event-bus.js'
import { createMembership } from '../../src/events/postgres/bus-groups.js'
import { MEMBER_SLOT_BASE } from '../../src/events/postgres/bus-schema.js'
import { type CloudEvent, type EventBus, openEventBus } from '../../src/internal.js'
import { silentLogger, waitFor } from '../../src/testing.js'
import { busContract } from './support/bus-contract.js'
import { type Child, killRunning, startChild } from './support/child-process.js'
import { restartUntilDeadLetter } from './support/crash-loop.js'
import { createWorld, postgresHarness, type World } from './support/harness.js'
import { asCloudEvent, nextOf, subjectsOf, Ticked, Tocked, ticks } from './support/test-events.js'

describe('event bus contract on postgres', () => {
  busContract(postgresHarness())
})

// NATS counts deliveries, and hands a partition's next event out only once the one before is answered:
// what follows is what the Postgres log does to count attempts, not deliveries, with several at once.
describe('postgres event log: attempts that survive a crash', () => {
  const harness = postgresHarness()
  let world: World
  let bus: EventBus
  const children: Child[] = []

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

  const effectsOf = async (events: readonly CloudEvent[]) => {
    const ids = events.map((e) => e.id)
    const { rows } = await world.serviceDb.query<{ event_id: string }>(
      'select event_id from effects where event_id = any($1)',
      [ids],
    )
    return rows.map((r) => r.event_id)
  }

  it('when a consumer loses its session, then an event it had started comes back as its next attempt, and one it had finished as a first', async () => {
    // b is in a's partition, after it: handled, but its position cannot be stored while a still runs
    const a = 'a'
    const b = Array.from({ length: 100 }, (_, i) => `b${i}`).find(
      (s) => partitionOf(s, PARTITIONS) === partitionOf(a, PARTITIONS),
    )!
    const doomed = await openEventBus(world.busUrl, { log: silentLogger, name: 'doomed', rebalanceMs: 100 })
    let release: () => void = () => undefined
    const blocked = new Promise<void>((resolve) => {
      release = resolve
    })
    const seen: string[] = []
    const deliveriesOf = (subject: string) => seen.filter((s) => s.startsWith(`${subject} `))
    try {
      await doomed.subscribe(
        'lose',
        [Ticked],
        async (e) => {
          seen.push(`${e.subject} attempt ${e.attempt}`)
          if (e.subject === a && e.attempt === 1) await blocked
        },
        { backoffMs: 10 },
      )
      await bus.publish([a, b].map((s) => asCloudEvent(Ticked.create(s, { subject: s, n: 1 }))))
      await waitFor(() => deliveriesOf(a).length === 1 && deliveriesOf(b).length === 1, { what: 'a and b' })
      // c is fetched on the session after the statement that forgot b's count (b has its outcome)
      await bus.publish(nextOf(['c'], 1))
      await waitFor(() => deliveriesOf('c').length === 1, { what: 'c started' })

      const admin = new pg.Client({ connectionString: world.busUrl })
      await admin.connect()
      await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'doomed'",
      )
      await admin.end()
      await waitFor(() => deliveriesOf(b).length === 2, { what: 'b delivered again' })
      expect(deliveriesOf(b)).toEqual([`${b} attempt 1`, `${b} attempt 1`])
      release()
      await waitFor(() => deliveriesOf(a).length === 2, { what: 'a delivered again' })
      expect(deliveriesOf(a)).toEqual([`${a} attempt 1`, `${a} attempt 2`])
    } finally {
      release()
      await doomed.close()
    }
  })

  it('when a handler kills its process while other events run beside it, then only that event goes to the dead letters', {
    timeout: 120_000,
  }, async () => {
    const group = 'crashing-beside'
    const maxAttempts = 3
    const killer = asCloudEvent(Ticked.create('k', { subject: 'k', n: 1 }))
    // in the same batch as the killer, on other subjects: some run beside it each time it kills its consumer
    const others = ticks(8, 3).map(asCloudEvent)
    await bus.publish([killer, ...others])
    const start = () => {
      const started = startChild('./consumer-child.ts', {
        busUrl: world.busUrl,
        serviceDbUrl: world.serviceDbUrl,
        group,
        type: Ticked.name,
        killOn: killer.id,
        maxAttempts,
        ackTimeoutMs: 30_000,
      })
      children.push(started)
      return started
    }
    const { letters, deaths } = await restartUntilDeadLetter({
      bus,
      group,
      child: start(),
      restart: start,
      maxDeaths: maxAttempts,
    })
    expect(deaths).toBe(maxAttempts)
    expect(letters.map((l) => l.event.id)).toEqual([killer.id])
    expect(letters[0]!.error).toBe(
      `delivered ${maxAttempts} times without an outcome (its consumer stopped each time)`,
    )

    const markers = nextOf([...subjectsOf(8), 'k'], 4)
    await bus.publish(markers)
    await waitFor(async () => (await effectsOf(markers)).length === markers.length, {
      what: 'the markers handled',
    })
    expect(await bus.deadLetters(group)).toHaveLength(1)
    const handled = await effectsOf(others)
    expect(handled).toHaveLength(others.length)
    expect(new Set(handled).size).toBe(others.length)
  })
})

describe('postgres event log: transient groups', () => {
  const harness = postgresHarness()
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

  it('when an instance starts again under the name of one that died, then its transient group starts at the end of the log and counts no attempts', async () => {
    const admin = new pg.Client({ connectionString: world.busUrl })
    await admin.connect()
    let release: () => void = () => undefined
    try {
      // what a dead run of the instance left: its transient group, behind an event it never handled
      await bus.publish(ticks(1, 1).map(asCloudEvent))
      const { rows } = await admin.query<{ id: number }>(
        "insert into bus_groups (name, transient) values ('cache-left', true) returning id",
      )
      const leftId = rows[0]!.id
      await admin.query(
        `insert into bus_positions (group_id, partition, position)
         select $1, p, 0 from generate_series(0, $2 - 1) p`,
        [leftId, PARTITIONS],
      )
      const got: string[] = []
      const held = new Promise<void>((resolve) => {
        release = resolve
      })
      await bus.subscribe(
        'cache-left',
        [Ticked],
        async (e) => {
          got.push(e.subject)
          if (e.subject === 'held') await held
        },
        { transient: true },
      )
      await bus.publish([asCloudEvent(Ticked.create('held', { subject: 'held', n: 1 }))])
      await waitFor(() => got.includes('held'), { what: 'the new event in its handler' })
      // the handler runs, and no count of its attempt was stored: nobody would read it
      const attempts = await admin.query(
        "select 1 from bus_attempts a join bus_groups g on g.id = a.group_id where g.name = 'cache-left'",
      )
      expect(attempts.rowCount).toBe(0)
      release()
      await bus.publish(nextOf(['held'], 2))
      await waitFor(() => got.length >= 2, { what: 'the marker' })
      expect(got).toEqual(['held', 'held'])
      const group = await admin.query<{ id: number }>("select id from bus_groups where name = 'cache-left'")
      expect(group.rows[0]!.id).not.toBe(leftId)
    } finally {
      release()
      await admin.end()
    }
  })
})

describe('postgres event log: the members of a group', () => {
  const harness = postgresHarness()
  let world: World
  const sessions: pg.Client[] = []

  beforeEach(async () => {
    world = await createWorld(harness)
  })
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((c) => c.end()))
    await world?.close()
  })
  afterAll(async () => {
    await harness.cleanup()
  })

  /** A member of the group in slot, as a subscription's session is one: it holds the slot's lock. */
  const member = async (groupId: number, slot: number) => {
    const client = new pg.Client({ connectionString: world.busUrl })
    await client.connect()
    sessions.push(client)
    await client.query('select pg_advisory_lock($1, $2)', [groupId, MEMBER_SLOT_BASE + slot])
    return client
  }

  /** The bus database, with the scans of pg_locks counted. */
  const counted = (pool: pg.Pool) => {
    const scans: string[] = []
    const q = {
      query: (text: string, values?: unknown[]) => {
        if (text.includes('pg_locks')) scans.push(text)
        return pool.query(text, values)
      },
    } as Queryable
    return { q, scans }
  }

  it('when the groups of one bus ask for their members within a period, then one scan answers each with its own', async () => {
    const pool = new pg.Pool({ connectionString: world.busUrl, max: 2 })
    try {
      await member(101, 0)
      await member(101, 2)
      await member(102, 1)
      const { q, scans } = counted(pool)
      let now = 1_000
      const membership = createMembership(q, 500, () => now)
      const [a, b, c] = await Promise.all([
        membership.of(101, 0),
        membership.of(102, 0),
        membership.of(103, 0),
      ])
      expect(scans.length).toBe(3) // the first ask of each group finds no scan with it in
      expect([a, b, c]).toEqual([[0, 2], [1], []])
      now += 400
      expect(await membership.of(102, 0)).toEqual([1])
      expect(await membership.of(101, 0)).toEqual([0, 2])
      expect(scans.length).toBe(3) // the last scan had all three, and is young enough
      now += 101
      expect(await membership.of(101, 0)).toEqual([0, 2])
      expect(await membership.of(103, 0)).toEqual([])
      expect(await membership.of(102, 0)).toEqual([1])
      expect(scans.length).toBe(4) // one scan, the first of them, for the three
    } finally {
      await pool.end()
    }
  })

  it('when a member took its lock after the last scan, or the scan is older than a period, then it is not shared', async () => {
    const pool = new pg.Pool({ connectionString: world.busUrl, max: 2 })
    try {
      await member(201, 0)
      const { q, scans } = counted(pool)
      let now = 1_000
      const membership = createMembership(q, 500, () => now)
      expect(await membership.of(201, 0)).toEqual([0])
      // a new member, locked at 1_000: the scan of 1_000 may have missed it
      await member(201, 1)
      expect(await membership.of(201, now)).toEqual([0, 1])
      expect(scans.length).toBe(2)
      const second = await member(201, 2)
      now += 501
      expect(await membership.of(201, 0)).toEqual([0, 1, 2])
      expect(scans.length).toBe(3)
      // a member gone: seen by the next scan that is due
      await second.query('select pg_advisory_unlock($1, $2)', [201, MEMBER_SLOT_BASE + 2])
      now += 501
      expect(await membership.of(201, 0)).toEqual([0, 1])
      expect(scans.length).toBe(4)
    } finally {
      await pool.end()
    }
  })
})

describe('postgres event log: positions', () => {
  const harness = postgresHarness()
  let world: World

  beforeEach(async () => {
    world = await createWorld(harness)
  })
  afterEach(async () => {
    await world?.close()
  })
  afterAll(async () => {
    await harness.cleanup()
  })

  it("when a group reads past other types' events on its way to its own, then the delivery stores its positions once", async () => {
    const admin = new pg.Client({ connectionString: world.busUrl })
    await admin.connect()
    // nothing but the deliveries wakes the consumer: no poll, no rebalance, no store of read-past positions due
    const consumer = await openEventBus(world.busUrl, {
      log: silentLogger,
      pollMs: 600_000,
      rebalanceMs: 600_000,
      positionFlushMs: 600_000,
    })
    const publisher = await world.openBus()
    try {
      await publisher.publish([]) // the log's tables exist
      await admin.query('create table position_writes (at timestamptz not null default now())')
      await admin.query(
        `create function position_written() returns trigger language plpgsql as $$
           begin insert into position_writes default values; return null; end $$`,
      )
      await admin.query(
        'create trigger position_written after update on bus_positions for each statement execute function position_written()',
      )
      const writes = async () =>
        Number((await admin.query('select count(*) from position_writes')).rows[0].count)
      const stored = async (id: string) =>
        ((
          await admin.query(
            `select 1 from bus_events e join bus_groups g on g.name = 'positions'
               join bus_positions p on p.group_id = g.id and p.partition = e.partition
              where e.id = $1 and p.position >= e.seq`,
            [id],
          )
        ).rowCount ?? 0) > 0
      const got: string[] = []
      await consumer.subscribe('positions', [Ticked], async (e) => {
        got.push(e.subject)
      })
      const first = asCloudEvent(Ticked.create('first', { subject: 'first', n: 1 }))
      await publisher.publish([first])
      await waitFor(() => stored(first.id), { what: 'the first event handled and its position stored' })
      const before = await writes()
      // other types' events in every partition, then one of ours: the read that finds it moves every position
      const second = asCloudEvent(Ticked.create('second', { subject: 'second', n: 1 }))
      await publisher.publish([...ticks(16, 1, Tocked).map(asCloudEvent), second])
      await waitFor(() => stored(second.id), { what: 'the second event handled and its position stored' })
      expect(got).toEqual(['first', 'second'])
      expect((await writes()) - before).toBe(1)
    } finally {
      await consumer.close()
      await admin.end()
    }
  })
})
