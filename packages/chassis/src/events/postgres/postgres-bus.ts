import type pg from 'pg'
import { inTransaction as inTx } from '../../db.js'
import type { Logger } from '../../logger.js'
import { acquirePool } from '../../shared-pool.js'
import { startTimer } from '../../timer.js'
import { partitionOf } from '../cloud-event.js'
import {
  checkGroupName,
  type DeadLetter,
  type EventBus,
  type ReplayFrom,
  resolveSubscribeOptions,
  type Subscription,
  typeNames,
} from '../event-bus.js'
import {
  EVENT_COLUMNS,
  type EventRow,
  eventColumnArrays,
  fromEventRow,
  unnestEventColumns,
} from '../event-row.js'
import { createIsolation } from '../isolation.js'
import { createMembership, ensureGroup, liveMembers } from './bus-groups.js'
import { APPEND_LOCK, EVENTS_CHANNEL, ensureBusSchema, PARTITIONS, PRUNE_LOCK } from './bus-schema.js'
import { startPostgresSubscription } from './postgres-subscription.js'

export interface PostgresBusOptions {
  log: Logger
  /** Shown as application_name in pg_stat_activity. */
  name?: string
  /** The safety-net poll behind LISTEN/NOTIFY. Default 2 s. */
  pollMs?: number
  /** How often an instance looks for members that came or went. Default 1 s. */
  rebalanceMs?: number
  /**
   * How often a group's positions are stored when they moved only by reading past events of other types (and,
   * for a transient group, at all). Positions moved by a handled event go with the statement that forgets its
   * count of attempts, right away. Default 1 s.
   */
  positionFlushMs?: number
  /** Events older than this are deleted from the log. Default 7 days. */
  retentionMs?: number
}

const DAY_MS = 24 * 60 * 60_000
// NOTIFY payloads must stay under 8000 bytes; past this, the announcement names no type and wakes every group
const MAX_ANNOUNCEMENT = 4_000

/** What a publish tells the listening groups: the types it appended, so that only their consumers read the log. */
function announcement(events: readonly { type: string }[]): string {
  const types = [...new Set(events.map((e) => e.type))].join(',')
  return types.length <= MAX_ANNOUNCEMENT ? types : ''
}

/**
 * The event log in its own PostgreSQL database: an append-only table with a global sequence, positions
 * per consumer group and partition, and LISTEN/NOTIFY wake-ups. The schema is created on first use.
 */
export async function createPostgresBus(url: string, opts: PostgresBusOptions): Promise<EventBus> {
  const log = opts.log.child({ bus: 'postgres' })
  const name = opts.name ?? 'event-bus'
  const retentionMs = opts.retentionMs ?? 7 * DAY_MS
  // appends come from the outbox relay one batch at a time, reads through the sessions: two connections do
  // (shared with the registry's heartbeats where the registry lives in this database, as it does locally)
  const shared = acquirePool(url, { max: 2, application_name: name }, (err) =>
    log.warn({ err }, 'idle bus connection failed'),
  )
  const { pool } = shared
  try {
    await ensureBusSchema(pool)
  } catch (err) {
    await shared.release()
    throw new Error(`the event bus database at BUS_URL is not usable: ${(err as Error).message}`, {
      cause: err,
    })
  }
  const subscriptions = new Set<Pick<Subscription, 'stop'>>()
  const isolation = createIsolation()
  const rebalanceMs = opts.rebalanceMs ?? 1_000
  // a member's view of the others is at most half a period old when it rebalances
  const membership = createMembership(pool, rebalanceMs / 2)

  const inTransaction = <T>(fn: (client: pg.PoolClient) => Promise<T>) => inTx(pool, fn)

  async function prune(): Promise<undefined> {
    await inTransaction(async (client) => {
      const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [
        PRUNE_LOCK,
      ])
      if (!rows[0]!.ok) return
      const { rowCount } = await client.query(
        'delete from bus_events where appended_at < now() - make_interval(secs => $1)',
        [retentionMs / 1_000],
      )
      if (rowCount) log.info({ deleted: rowCount }, 'pruned events past their retention')
    })
  }
  const pruner = startTimer(
    { name: 'prune-event-log', intervalMs: Math.min(retentionMs / 10, 60_000), run: prune },
    log,
  )

  const groupIdOf = async (group: string) => {
    const { rows } = await pool.query<{ id: number }>('select id from bus_groups where name = $1', [group])
    return rows[0]?.id
  }

  return {
    kind: 'postgres',

    async publish(events) {
      if (events.length === 0) return
      // one statement, its own transaction: one round trip where begin, lock, insert, notify and commit were five.
      // Appends take turns until commit (the lock, an InitPlan of the insert, is taken before any row's number),
      // so positions are handed out in commit order: a reader that sees position n sees everything before it,
      // and never skips an event whose transaction commits late
      await pool.query({
        name: 'bus-append',
        text: `with locked as materialized (
             select count(*) as n from (select pg_advisory_xact_lock($1)) as l),
           appended as (
             insert into bus_events (seq, partition, ${EVENT_COLUMNS})
             select nextval('bus_event_seq'), p.partition, e.id, e.type, e.source, e.subject, e.time,
                    e.datacontenttype, e.traceparent, e.extensions, e.data
               from ${unnestEventColumns(4)}
               join unnest($2::int[]) with ordinality as p(partition, ord) using (ord)
              where (select n from locked) > 0
              order by ord
             on conflict (id) where target_group is null do nothing
             returning 1)
           select pg_notify('${EVENTS_CHANNEL}', $3) from (select count(*) from appended) as done`,
        values: [
          APPEND_LOCK,
          events.map((e) => partitionOf(e.subject, PARTITIONS)),
          announcement(events),
          ...eventColumnArrays(events),
        ],
      })
    },

    async subscribe(group, types, handler, subscribeOpts) {
      checkGroupName(group)
      const subscription = await startPostgresSubscription({
        url,
        name,
        group,
        types: typeNames(types),
        handler,
        opts: resolveSubscribeOptions(subscribeOpts),
        log,
        pollMs: opts.pollMs ?? 2_000,
        rebalanceMs,
        positionFlushMs: opts.positionFlushMs ?? 1_000,
        isolation,
        pool,
        membership,
      })
      subscriptions.add(subscription)
      const subscribed = typeNames(types)
      return {
        group,
        async lag() {
          const { rows } = await pool.query<{ events: number; seconds: number }>(
            `select count(*)::int as events,
                    coalesce(extract(epoch from now() - min(e.appended_at)), 0)::float8 as seconds
               from bus_groups g
               join bus_positions p on p.group_id = g.id
               join bus_events e on e.partition = p.partition and e.seq > p.position
              where g.name = $1 and ((e.target_group is null and e.type = any($2::text[])) or e.target_group = g.id)`,
            [group, subscribed],
          )
          return rows[0] ?? { events: 0, seconds: 0 }
        },
        async stop() {
          subscriptions.delete(subscription)
          await subscription.stop()
        },
      }
    },

    async deadLetters(group) {
      const { rows } = await pool.query<
        EventRow & { dl_id: string; position: string; error: string; attempts: number; failed_at: Date }
      >(
        `select d.id as dl_id, d.position, d.error, d.attempts, d.failed_at, d.event_id as id, d.type, d.source,
                d.subject, d.time, d.datacontenttype, d.traceparent, d.extensions, d.data
           from bus_dead_letters d join bus_groups g on g.id = d.group_id
          where g.name = $1 order by d.id`,
        [group],
      )
      return rows.map(
        (r): DeadLetter => ({
          id: String(r.dl_id),
          group,
          event: fromEventRow(r),
          position: Number(r.position),
          error: r.error,
          attempts: r.attempts,
          failedAt: r.failed_at,
        }),
      )
    },

    async redrive(group, ids) {
      const groupId = await groupIdOf(group)
      if (groupId === undefined) return 0
      return inTransaction(async (client) => {
        await client.query('select pg_advisory_xact_lock($1)', [APPEND_LOCK])
        // back into the log as events for this group alone, in the order they failed
        const { rowCount } = await client.query(
          `with moved as (
             delete from bus_dead_letters
              where group_id = $1 and ($2::bigint[] is null or id = any($2::bigint[]))
             returning *)
           insert into bus_events (seq, partition, ${EVENT_COLUMNS}, target_group)
           select nextval('bus_event_seq'), partition, event_id, type, source, subject, time, datacontenttype,
                  traceparent, extensions, data, group_id
             from moved order by id`,
          [groupId, ids ? ids.map(Number) : null],
        )
        await client.query(`select pg_notify('${EVENTS_CHANNEL}', '')`)
        return rowCount ?? 0
      })
    },

    async replay(group, from: ReplayFrom) {
      checkGroupName(group)
      await inTransaction(async (client) => {
        const groupId = await ensureGroup(client, group, 'earliest')
        if ((await liveMembers(client, groupId)).length > 0)
          throw new Error(`consumer group ${group} has running subscriptions: stop them before a replay`)
        const { rows } =
          'position' in from
            ? { rows: [{ position: Math.max(0, from.position - 1) }] }
            : await client.query<{ position: string }>(
                `select coalesce((select min(seq) - 1 from bus_events where appended_at >= $1),
                                 (select max(seq) from bus_events), 0) as position`,
                [from.time],
              )
        await client.query('update bus_positions set position = $2 where group_id = $1', [
          groupId,
          Number(rows[0]!.position),
        ])
        // a replay is a fresh start: attempts counted before it do not count against the events again
        await client.query('delete from bus_attempts where group_id = $1', [groupId])
      })
    },

    async close() {
      await pruner.stop()
      await Promise.all([...subscriptions].map((s) => s.stop()))
      subscriptions.clear()
      await shared.release()
    },
  }
}
