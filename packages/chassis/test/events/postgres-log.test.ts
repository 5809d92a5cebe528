import pg from 'pg'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../../test-support/db.js'
import { silentLogger } from '../../../../test-support/grpc.js'
import type { Db } from '../../src/index.js'
import {
  createDb,
  createOutbox,
  type EventBus,
  ensureEventTables,
  openEventBus,
  startOutboxRelay,
  toCloudEvent,
} from '../../src/internal.js'
import { waitFor } from '../../src/testing.js'
import { publish, Ticked, ticks } from './support/test-events.js'

describe('postgres event log', () => {
  const databases: TestDatabase[] = []
  const closers: Array<() => Promise<unknown>> = []
  const newBus = async (opts: { retentionMs?: number } = {}) => {
    const database = await createTestDatabase('bus_log')
    databases.push(database)
    const bus = await openEventBus(database.url, { log: silentLogger, pollMs: 100, ...opts })
    closers.push(() => bus.close())
    return { bus, url: database.url }
  }
  /** A service's database with its outbox, beside a bus of its own. */
  const newOutbox = async (name: string) => {
    const { bus } = await newBus()
    const database = await createTestDatabase(name)
    databases.push(database)
    const db: Db = createDb(database.url, { max: 2 })
    closers.push(() => db.close())
    await ensureEventTables(db)
    return { bus, db, outbox: createOutbox({ service: 'test' }) }
  }
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close()
    await Promise.all(databases.splice(0).map((d) => d.drop()))
  })

  it('when an append commits after a later one started, then a reader still gets both', async () => {
    const { bus, url } = await newBus()
    const got: string[] = []
    await bus.subscribe('reader', [Ticked], async (e) => void got.push(e.id))
    const [first, second] = ticks(2, 1).map((e) => toCloudEvent('/microshop/test', e))
    // a foreign transaction holds first's id in the unique index: first's append waits there, mid-transaction
    const blocker = new pg.Client({ connectionString: url })
    await blocker.connect()
    closers.push(() => blocker.end())
    await blocker.query('begin')
    await blocker.query(
      `insert into bus_events (seq, id, partition, type, source, subject, time, datacontenttype, data)
       values (nextval('bus_event_seq'), $1, 0, 'x', 'x', 'x', 'x', 'x', '')`,
      [first!.id],
    )
    const waitingOn = async (locktype: string) =>
      (await blocker.query('select 1 from pg_locks where not granted and locktype = $1', [locktype])).rowCount
    const firstAppend = bus.publish([first!])
    await waitFor(() => waitingOn('transactionid'), { what: "first's append waiting on the blocker" })
    let secondDone = false
    const secondAppend = bus.publish([second!]).then(() => {
      secondDone = true
    })
    // were appends not serialized, second would commit now and the reader move past first's position
    await waitFor(async () => secondDone || (await waitingOn('advisory')), {
      what: "second's append committed or waiting for its turn",
    })
    await blocker.query('rollback')
    await Promise.all([firstAppend, secondAppend])
    await waitFor(() => got.length >= 2, { what: 'both events read' })
    expect(got.sort()).toEqual([first!.id, second!.id].sort())
  })

  it('when events are older than the retention, then they are pruned from the log', async () => {
    const { bus, url } = await newBus({ retentionMs: 300 })
    await publish(bus, ticks(3, 1))
    const db = createDb(url, { max: 1 })
    closers.push(() => db.close())
    const count = async () =>
      (await db.query<{ n: number }>('select count(*)::int as n from bus_events')).rows[0]!.n
    expect(await count()).toBe(3)
    await waitFor(async () => (await count()) === 0, { what: 'the log pruned' })
  })

  it('when sent outbox rows are older than the retention, then the relay prunes them, and never unsent ones', async () => {
    const { bus, db, outbox } = await newOutbox('outbox_prune')
    await db.tx((tx) => outbox.append(tx, ticks(2, 2)))
    const rows = async () => (await db.query('select sent_at from event_outbox')).rows
    let publishes = 0
    const failing: EventBus = {
      ...bus,
      publish: async () => {
        publishes++
        throw new Error('bus down')
      },
    }
    const stuck = startOutboxRelay({ db, bus: failing, log: silentLogger, retentionMs: 100, pollMs: 50 })
    // tried, failed, waited and tried again: the unsent rows have been past their retention meanwhile
    await waitFor(() => publishes >= 2, { what: 'a second failed publish' })
    await stuck.stop()
    expect(await rows()).toHaveLength(4)

    const relay = startOutboxRelay({ db, bus, log: silentLogger, retentionMs: 100, pollMs: 50 })
    closers.push(() => relay.stop())
    await waitFor(async () => (await rows()).length === 0, { what: 'the sent rows pruned' })
  })

  it('when the outbox holds less than a batch, then the relay reads it once and waits for the next commit', async () => {
    const { bus, db, outbox } = await newOutbox('outbox_reads')
    await db.tx((tx) => outbox.append(tx, ticks(3, 1)))
    const reads = vi.spyOn(pg.Client.prototype, 'query')
    closers.push(async () => reads.mockRestore())
    const outboxReads = () =>
      reads.mock.calls.filter(
        ([q]) => typeof q === 'string' && q.includes('from event_outbox where sent_at is null order by seq'),
      ).length
    const unsent = async () =>
      (await db.query<{ n: number }>('select count(*)::int as n from event_outbox where sent_at is null'))
        .rows[0]!.n
    // no poll within the test: what reads the outbox again is the notification of a commit
    const relay = startOutboxRelay({ db, bus, log: silentLogger, pollMs: 600_000 })
    closers.push(() => relay.stop())
    await waitFor(async () => (await unsent()) === 0, { what: 'the first three sent' })
    await db.tx((tx) => outbox.append(tx, ticks(1, 1)))
    await waitFor(async () => (await unsent()) === 0, { what: 'the fourth sent' })
    // one read found the three, one the fourth: none in between found nothing
    expect(outboxReads()).toBe(2)
  })
})
