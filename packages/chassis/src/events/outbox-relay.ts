import pg from 'pg'
import type { Db } from '../db.js'
import { advisoryLocks } from '../locks.js'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'
import { SpanKind, type Telemetry } from '../telemetry.js'
import { backoffDelay, createWakeup, sleep } from './backoff.js'
import type { CloudEvent } from './cloud-event.js'
import type { EventBus } from './event-bus.js'
import { EVENT_COLUMNS, type EventRow, fromEventRow } from './event-row.js'
import { OUTBOX_CHANNEL } from './outbox.js'

const RELAY_LOCK = advisoryLocks.relay

export interface OutboxRelayOptions {
  db: Db
  bus: EventBus
  log: Logger
  /** Rows sent in one publish. Default 500. */
  batchSize?: number
  /** The safety-net poll behind LISTEN/NOTIFY. Default 5 s. */
  pollMs?: number
  /** Sent rows are deleted after this. Default 1 day. */
  retentionMs?: number
  /** Inbox records are deleted after this; keep it longer than the event log keeps events. Default 14 days. */
  inboxRetentionMs?: number
  telemetry?: Telemetry
  metrics?: Metrics
}

// a span links to the first events of its batch only: a link per event of 500 would weigh more than the span
const MAX_LINKS = 32

export interface OutboxRelay {
  stop(): Promise<void>
}

const DAY_MS = 24 * 60 * 60_000

/**
 * Forwards a service's outbox to the bus, oldest row first, and marks the rows sent. Of all the service's
 * replicas, one relays at a time (it holds a session lock; when it dies, another takes over), so rows are
 * never sent twice at once and a subject's events leave in order. A failed publish is retried with backoff;
 * a crash between publish and mark means one more publish of the same ids, which the bus drops.
 */
export function startOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const log = opts.log.child({ component: 'outbox-relay' })
  const batchSize = opts.batchSize ?? 500
  const pollMs = opts.pollMs ?? 5_000
  const retentionMs = opts.retentionMs ?? DAY_MS
  const inboxRetentionMs = opts.inboxRetentionMs ?? 14 * DAY_MS
  const pruneEveryMs = Math.min(60_000, retentionMs)
  const wakeup = createWakeup()
  const stopSignal = new AbortController()

  async function openSession() {
    const client = new pg.Client(opts.db.pool.options)
    const session = { client, broken: false }
    const lose = () => {
      session.broken = true
      wakeup.wake()
    }
    client.on('error', lose)
    client.on('end', lose)
    client.on('notification', () => wakeup.wake())
    await client.connect()
    await client.query(`listen ${OUTBOX_CHANNEL}`)
    return session
  }

  async function prune(client: pg.Client) {
    await client.query('delete from event_outbox where sent_at < now() - make_interval(secs => $1)', [
      retentionMs / 1_000,
    ])
    await client.query('delete from event_inbox where handled_at < now() - make_interval(secs => $1)', [
      inboxRetentionMs / 1_000,
    ])
  }

  async function publish(events: CloudEvent[]) {
    const send = () => opts.bus.publish(events)
    if (opts.telemetry)
      // a batch belongs to many traces: its span links to them, each consumer continues its event's own
      await opts.telemetry.span(
        'publish event log',
        {
          kind: SpanKind.PRODUCER,
          root: true,
          links: events.slice(0, MAX_LINKS).map((e) => e.traceparent),
          attributes: {
            'messaging.system': opts.bus.kind,
            'messaging.operation.type': 'publish',
            'messaging.destination.name': opts.bus.kind,
            'messaging.batch.message_count': events.length,
          },
        },
        send,
      )
    else await send()
    for (const e of events)
      opts.metrics?.published.inc({ messaging_system: opts.bus.kind, event_type: e.type })
  }

  async function run() {
    let session: Awaited<ReturnType<typeof openSession>> | undefined
    let leader = false
    let failures = 0
    let prunedAt = 0
    while (!stopSignal.signal.aborted) {
      try {
        if (!session || session.broken) {
          await session?.client.end().catch(() => undefined)
          session = undefined
          leader = false
          session = await openSession()
        }
        const { client } = session
        if (!leader) {
          const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, 0) as ok', [
            RELAY_LOCK,
          ])
          leader = rows[0]!.ok
          if (!leader) {
            await wakeup.wait(pollMs)
            continue
          }
        }
        const { rows } = await client.query<EventRow & { seq: string }>(
          `select seq, ${EVENT_COLUMNS} from event_outbox where sent_at is null order by seq limit $1`,
          [batchSize],
        )
        if (rows.length > 0) {
          try {
            const events = rows.map(fromEventRow)
            await publish(events)
          } catch (err) {
            failures++
            const delayMs = backoffDelay(failures, 100, 30_000)
            log.warn({ err, failures, delayMs }, 'publishing the outbox failed; will retry')
            await sleep(delayMs, stopSignal.signal)
            continue
          }
          await client.query('update event_outbox set sent_at = now() where seq = any($1::bigint[])', [
            rows.map((r) => r.seq),
          ])
          failures = 0
          // a batch short of full held every row committed before its read; a row committed since has notified,
          // so the wait below returns at once for it: reading again at once found nothing, a statement a wake-up
          if (rows.length === batchSize) continue
        }
        if (Date.now() - prunedAt > pruneEveryMs) {
          prunedAt = Date.now()
          await prune(client)
        }
        await wakeup.wait(Math.min(pollMs, pruneEveryMs))
      } catch (err) {
        if (stopSignal.signal.aborted) break
        failures++
        log.warn({ err }, 'outbox relay lost its database session; reconnecting')
        if (session) session.broken = true
        await sleep(backoffDelay(failures, 100, 5_000), stopSignal.signal)
      }
    }
    await session?.client.end().catch(() => undefined)
  }
  const running = run()

  return {
    async stop() {
      stopSignal.abort()
      wakeup.wake()
      await running
    },
  }
}
