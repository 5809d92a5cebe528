import pg from 'pg'
import type { Logger } from '../../logger.js'
import { backoffDelay, createWakeup, sleep } from '../backoff.js'
import { type AttemptRunner, type DeliveryOutcome, deliver, stoppedEachTime } from '../delivery.js'
import type { EventHandler, ResolvedSubscribeOptions, Subscription } from '../event-bus.js'
import { EVENT_COLUMNS, type EventRow, fromEventRow } from '../event-row.js'
import type { Isolation } from '../isolation.js'
import { createKeyedQueue } from '../keyed-queue.js'
import { type AttemptLog, createAttemptLog } from './attempt-log.js'
import { ensureGroup, type Membership, removeAbandonedGroups, removeLeftoverGroup } from './bus-groups.js'
import { EVENTS_CHANNEL, MEMBER_SLOT_BASE, PARTITIONS } from './bus-schema.js'

const BATCH = 200

interface PartitionState {
  partition: number
  /** The position stored for the group: everything up to it is handled. */
  committed: number
  /** Everything up to here is fetched, or known not to be for this group. */
  fetchedTo: number
  /** Positions fetched and not yet handled, ascending. */
  inflight: number[]
  /** Given up by the rebalance: no more fetching, released once inflight is empty. */
  draining: boolean
  abort: AbortController
}

interface Session {
  client: pg.Client
  groupId: number
  slot: number
  /** When the session held its member lock: a scan of the members from after it finds this one. */
  since: number
  broken: boolean
  attempts: AttemptLog
}

/** An event as fetched, with the attempts started on it before (by consumers that stopped without an outcome). */
type FetchedRow = EventRow & { seq: string; earlier: number }

export interface PostgresSubscriptionDeps {
  url: string
  name: string
  group: string
  types: string[]
  handler: EventHandler
  opts: ResolvedSubscribeOptions
  log: Logger
  pollMs: number
  rebalanceMs: number
  /** Positions that only moved past other types' events (a transient group's: all) are stored this often. */
  positionFlushMs: number
  /** Shared by the subscriptions of one bus, as a crash takes all of them down together. */
  isolation: Isolation
  /** The bus's pool, for writes that need no partition lock. */
  pool: pg.Pool
  /** The members of the groups, shared by the subscriptions of one bus. */
  membership: Membership
}

/**
 * One instance of a consumer group on the Postgres log. Its session holds a member lock (so the others
 * can count it) and one lock per partition it works on; when the process dies, the session and its locks
 * go with it and the others take the partitions over from their stored positions.
 */
export async function startPostgresSubscription(
  deps: PostgresSubscriptionDeps,
): Promise<Omit<Subscription, 'lag'>> {
  const { group, opts } = deps
  const log = deps.log.child({ group })
  const queue = createKeyedQueue(opts.concurrency)
  const wakeup = createWakeup()
  const owned = new Map<number, PartitionState>()
  const stopSignal = new AbortController()
  const maxBuffered = Math.max(BATCH, opts.concurrency * 8)
  const subscribed = new Set(deps.types)
  let nextRebalance = 0
  // the log is read when a publish of one of our types was announced, when a read came back full, when the
  // buffer had been full and drained, and on the safety-net poll; a finished event only moves the positions on
  let fetchDue = true
  let blocked = false
  let lastFetch = 0
  // A transient group belongs to one process and dies with it (the next run of the instance starts afresh at
  // the end of the log), so a count of attempts would never be read: none is kept, and its positions, kept
  // for its lag, are stored only every positionFlushMs. A group that lives on keeps both, for whoever takes over.
  const { transient } = opts
  let firstSession = true
  // A read moves every partition's position to the log's end, past the other types' events appended since:
  // stored at once, that was a second write (and commit) for each delivery, besides the one after it was
  // handled. Such a move is stored every positionFlushMs; one past a handled event, with its attempt's end.
  let nextPositionFlush = 0

  async function openSession(): Promise<Session> {
    const client = new pg.Client({ connectionString: deps.url, application_name: deps.name })
    const session: Session = {
      client,
      groupId: 0,
      slot: -1,
      since: 0,
      broken: false,
      attempts: createAttemptLog({ starts: deps.pool, session: client, groupIdOf: () => session.groupId }),
    }
    const lose = () => {
      session.broken = true
      wakeup.wake()
    }
    client.on('error', (err) => {
      if (!session.broken) log.warn({ err }, 'event subscription lost its database session')
      lose()
    })
    client.on('end', lose)
    // a publish names the types it appended: a group wakes only for its own (an empty payload wakes every group)
    client.on('notification', ({ payload }) => {
      if (!payload || payload.split(',').some((type) => subscribed.has(type))) {
        fetchDue = true
        wakeup.wake()
      }
    })
    await client.connect()
    try {
      await client.query(`listen ${EVENTS_CHANNEL}`)
      if (transient) {
        await removeAbandonedGroups(client)
        // a reconnect resumes where the group stood; a new process does not inherit what a dead one left
        if (firstSession) await removeLeftoverGroup(client, group)
      }
      session.groupId = await ensureGroup(client, group, opts.startAt, opts.transient)
      for (let slot = 0; session.slot < 0; slot++) {
        const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [
          session.groupId,
          MEMBER_SLOT_BASE + slot,
        ])
        if (rows[0]!.ok) session.slot = slot
      }
      session.since = Date.now()
      firstSession = false
      return session
    } catch (err) {
      await client.end().catch(() => undefined)
      throw err
    }
  }

  async function dropSession(session: Session | undefined) {
    for (const state of owned.values()) state.abort.abort()
    owned.clear()
    if (session) {
      session.broken = true
      await session.client.end().catch(() => undefined)
    }
  }

  const watermark = (s: PartitionState) => (s.inflight.length > 0 ? s.inflight[0]! - 1 : s.fetchedTo)

  async function flushPositions(session: Session, states: PartitionState[] = [...owned.values()]) {
    const due = states.map((s) => [s, watermark(s)] as const).filter(([s, at]) => at > s.committed)
    if (due.length === 0 && !session.attempts.hasFinished) return
    await session.attempts.commit(
      due.map(([s]) => s.partition),
      due.map(([, at]) => at),
    )
    for (const [s, at] of due) s.committed = at
  }

  /** Takes the partitions that are this member's share and free; marks the others for release. */
  async function rebalance(session: Session) {
    const members = await deps.membership.of(session.groupId, session.since)
    const index = members.indexOf(session.slot)
    if (index < 0) throw new Error('this member no longer holds its lock')
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const mine = partition % members.length === index
      const state = owned.get(partition)
      if (state) state.draining = !mine
      else if (mine) {
        const { rows } = await session.client.query<{ ok: boolean }>(
          'select pg_try_advisory_lock($1, $2) as ok',
          [session.groupId, partition],
        )
        if (!rows[0]!.ok) continue
        const stored = await session.client.query<{ position: string }>(
          'select position from bus_positions where group_id = $1 and partition = $2',
          [session.groupId, partition],
        )
        const position = Number(stored.rows[0]!.position)
        owned.set(partition, {
          partition,
          committed: position,
          fetchedTo: position,
          inflight: [],
          draining: false,
          abort: new AbortController(),
        })
        fetchDue = true
      }
    }
  }

  async function releaseDrained(session: Session) {
    const idle = [...owned.values()].filter((s) => s.draining && s.inflight.length === 0)
    if (idle.length === 0) return
    await flushPositions(session, idle)
    for (const state of idle) {
      await session.client.query('select pg_advisory_unlock($1, $2)', [session.groupId, state.partition])
      owned.delete(state.partition)
    }
  }

  /**
   * Each attempt is counted in the bus database before the handler runs. An event whose earlier attempts
   * ended with their consumer gone may be what takes consumers down: its first attempt here runs alone.
   */
  const attemptRunner =
    (session: Session, state: PartitionState, position: number, aloneAt: number | undefined): AttemptRunner =>
    async (attempt, run) => {
      const { isolation } = deps
      const leave = await (attempt === aloneAt ? isolation.alone() : isolation.together())
      try {
        if (state.abort.signal.aborted) return false
        try {
          // should it take the process down, the events that finished beside it must not count it against them
          if (attempt === aloneAt) await flushPositions(session)
          if (!transient) await session.attempts.start(state.partition, position)
        } catch (err) {
          if (!session.broken) log.warn({ err }, 'could not record an attempt; reconnecting')
          session.broken = true
          wakeup.wake()
          return false
        }
        await run()
        if (!transient) session.attempts.finish(state.partition, position)
        return true
      } finally {
        leave()
      }
    }

  async function moveToDeadLetters(
    session: Session,
    state: PartitionState,
    position: number,
    row: FetchedRow,
    result: Extract<DeliveryOutcome, { outcome: 'failed' }>,
  ): Promise<boolean> {
    try {
      await session.client.query(
        `insert into bus_dead_letters (group_id, position, partition, event_id, type, source, subject, time,
                                       datacontenttype, traceparent, extensions, data, error, attempts)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         on conflict do nothing`,
        [
          session.groupId,
          position,
          state.partition,
          row.id,
          row.type,
          row.source,
          row.subject,
          row.time,
          row.datacontenttype,
          row.traceparent,
          JSON.stringify(row.extensions ?? {}),
          row.data,
          result.error,
          result.attempts,
        ],
      )
    } catch (err) {
      log.warn({ err, eventId: row.id }, 'could not store a dead letter; the event will be redelivered')
      return false
    }
    session.attempts.finish(state.partition, position)
    deps.opts.onDeadLetter?.(fromEventRow(row), result.error)
    log.error(
      {
        eventId: row.id,
        type: row.type,
        subject: row.subject,
        attempts: result.attempts,
        error: result.error,
      },
      'event moved to the dead letters',
    )
    return true
  }

  function dispatch(session: Session, state: PartitionState, row: FetchedRow) {
    const position = Number(row.seq)
    const event = fromEventRow(row)
    const { earlier } = row
    state.inflight.push(position)
    queue.push(event.subject, async () => {
      if (state.abort.signal.aborted) return
      const result: DeliveryOutcome =
        earlier >= opts.maxAttempts
          ? { outcome: 'failed', error: stoppedEachTime(earlier), attempts: earlier }
          : await deliver({
              event,
              position,
              group,
              firstAttempt: earlier + 1,
              handler: deps.handler,
              opts,
              signal: state.abort.signal,
              log,
              runAttempt: attemptRunner(session, state, position, earlier > 0 ? earlier + 1 : undefined),
            })
      if (result.outcome === 'aborted') return
      if (result.outcome === 'failed' && !(await moveToDeadLetters(session, state, position, row, result)))
        return
      state.inflight.splice(state.inflight.indexOf(position), 1)
      if (blocked) fetchDue = true
      wakeup.wake()
    })
  }

  /** Fetches the next events of the partitions being worked on; true when there may be more right away. */
  async function fetchAndDispatch(session: Session): Promise<boolean> {
    const active = [...owned.values()].filter((s) => !s.draining)
    blocked = queue.size >= maxBuffered
    if (active.length === 0 || blocked) return false
    lastFetch = Date.now()
    // one statement, one snapshot: every event up to high_water is committed, as appends are serialized
    const { rows } = await session.client.query<
      Omit<FetchedRow, 'seq'> & { partition: number; seq: string | null; high_water: string }
    >({
      // prepared once per session: the plan is made once, not at every read
      name: 'bus-fetch',
      text: `select c.partition, e.seq, e.id, e.type, e.source, e.subject, e.time, e.datacontenttype, e.traceparent,
              e.extensions, e.data, e.earlier, hw.seq as high_water
         from (select coalesce(max(seq), 0) as seq from bus_events) hw
        cross join unnest($1::int[], $2::bigint[]) as c(partition, after)
         left join lateral (
           select e.seq, ${EVENT_COLUMNS}, coalesce(a.attempts, 0) as earlier from bus_events e
             left join bus_attempts a on a.group_id = $4 and a.partition = c.partition and a.position = e.seq
            where e.partition = c.partition and e.seq > c.after
              and ((e.target_group is null and e.type = any($3::text[])) or e.target_group = $4)
            order by e.seq limit $5) e on true
        order by c.partition, e.seq`,
      values: [
        active.map((s) => s.partition),
        active.map((s) => s.fetchedTo),
        deps.types,
        session.groupId,
        BATCH,
      ],
    })
    let more = false
    for (const state of active) {
      const mine = rows.filter((r) => r.partition === state.partition && r.seq !== null)
      for (const row of mine) dispatch(session, state, row as FetchedRow)
      const full = mine.length >= BATCH
      more ||= full
      const highWater = Number(rows[0]?.high_water ?? 0)
      const scannedTo = full ? Number(mine.at(-1)!.seq) : Math.max(highWater, Number(mine.at(-1)?.seq ?? 0))
      state.fetchedTo = Math.max(state.fetchedTo, scannedTo)
    }
    return more && queue.size < maxBuffered
  }

  let session: Session | undefined = await openSession()

  async function run() {
    let failures = 0
    while (!stopSignal.signal.aborted) {
      try {
        if (!session || session.broken) {
          await dropSession(session)
          session = undefined
          session = await openSession()
          nextRebalance = 0
          fetchDue = true
        }
        if (Date.now() >= nextRebalance) {
          await rebalance(session)
          nextRebalance = Date.now() + deps.rebalanceMs
        }
        if (Date.now() - lastFetch >= deps.pollMs) fetchDue = true
        if (fetchDue) {
          fetchDue = false
          if (await fetchAndDispatch(session)) fetchDue = true
        }
        if (session.attempts.hasFinished || Date.now() >= nextPositionFlush) {
          nextPositionFlush = Date.now() + deps.positionFlushMs
          await flushPositions(session)
        }
        await releaseDrained(session)
        failures = 0
        if (!fetchDue) {
          const untilPoll = lastFetch + deps.pollMs - Date.now()
          await wakeup.wait(Math.max(1, Math.min(untilPoll, nextRebalance - Date.now())))
        }
      } catch (err) {
        if (stopSignal.signal.aborted) break
        failures++
        log.warn({ err }, 'event subscription failed; reconnecting')
        if (session) session.broken = true
        await sleep(backoffDelay(failures, 100, 5_000), stopSignal.signal)
      }
    }
  }
  const running = run()

  let stopping: Promise<void> | undefined
  return {
    group,
    stop() {
      stopping ??= (async () => {
        stopSignal.abort()
        wakeup.wake()
        await running
        // events not started yet stay unhandled (redelivered to whoever takes the partition); running ones finish
        for (const state of owned.values()) state.abort.abort()
        await queue.idle()
        if (session && !session.broken) {
          const done = transient
            ? session.client.query('delete from bus_groups where id = $1', [session.groupId])
            : flushPositions(session)
          await done.catch((err) => log.warn({ err }, 'could not store the group at stop'))
        }
        if (session) deps.membership.forget(session.groupId)
        await dropSession(session)
      })()
      return stopping
    },
  }
}
