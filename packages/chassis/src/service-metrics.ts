import type { Db } from './db.js'
import type { Subscription } from './events/event-bus.js'
import type { ListeningEvents, ServiceEvents } from './events/service-events.js'
import type { Metrics } from './metrics.js'

/** The service database's pool, read at each scrape: connections in use and idle, callers waiting for one. */
export function registerPoolMetrics(metrics: Metrics, db: Db, poolName: string): void {
  const { pool } = db
  metrics.gaugeAtScrape(
    'db_client_connections',
    'Connections of the service database pool, by state',
    ['db_client_connection_pool_name', 'db_client_connection_state'],
    async () => [
      {
        labels: { db_client_connection_pool_name: poolName, db_client_connection_state: 'used' },
        value: pool.totalCount - pool.idleCount,
      },
      {
        labels: { db_client_connection_pool_name: poolName, db_client_connection_state: 'idle' },
        value: pool.idleCount,
      },
    ],
  )
  metrics.gaugeAtScrape(
    'db_client_connection_pending_requests',
    'Callers waiting for a connection of the service database pool',
    ['db_client_connection_pool_name'],
    async () => [{ labels: { db_client_connection_pool_name: poolName }, value: pool.waitingCount }],
  )
  metrics.gaugeAtScrape(
    'db_client_connection_max',
    'The most connections the service database pool opens',
    ['db_client_connection_pool_name'],
    async () => [{ labels: { db_client_connection_pool_name: poolName }, value: pool.options.max ?? 10 }],
  )
}

/** Events recorded in the outbox and not yet on the log, and how long the oldest has waited. */
export function registerOutboxMetrics(metrics: Metrics, db: Db): void {
  const backlog = async () => {
    const { rows } = await db.query<{ events: number; seconds: number }>(
      `select count(*)::int as events, coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as seconds
         from event_outbox where sent_at is null`,
    )
    return rows[0] ?? { events: 0, seconds: 0 }
  }
  metrics.gaugeAtScrape(
    'microshop_outbox_backlog_events',
    'Events in the outbox not yet on the event log',
    [],
    async () => [{ labels: {}, value: (await backlog()).events }],
  )
  metrics.gaugeAtScrape(
    'microshop_outbox_oldest_age_seconds',
    'How long the oldest event not yet on the event log has waited in the outbox',
    [],
    async () => [{ labels: {}, value: (await backlog()).seconds }],
  )
}

/** The service's events, with every subscription's lag read at each scrape (events and seconds behind). */
export function withLagMetrics<E extends ListeningEvents | ServiceEvents>(events: E, metrics: Metrics): E {
  const subscriptions: Subscription[] = []
  const lagOf = async () =>
    Promise.all(
      subscriptions.map(async (s) => ({ group: s.group, lag: await s.lag().catch(() => undefined) })),
    )
  metrics.gaugeAtScrape(
    'microshop_consumer_lag_events',
    'Events of its types a consumer group has not handled yet',
    ['messaging_consumer_group_name'],
    async () =>
      (await lagOf()).flatMap(({ group, lag }) =>
        lag ? [{ labels: { messaging_consumer_group_name: group }, value: lag.events }] : [],
      ),
  )
  metrics.gaugeAtScrape(
    'microshop_consumer_lag_seconds',
    'Age of the oldest event a consumer group has not handled yet',
    ['messaging_consumer_group_name'],
    async () =>
      (await lagOf()).flatMap(({ group, lag }) =>
        lag ? [{ labels: { messaging_consumer_group_name: group }, value: lag.seconds }] : [],
      ),
  )
  const tracked =
    <A extends unknown[]>(subscribe: (...args: A) => Promise<Subscription>) =>
    async (...args: A) => {
      const subscription = await subscribe(...args)
      subscriptions.push(subscription)
      return subscription
    }
  const wrapped = { ...events, listen: tracked(events.listen.bind(events)) } as E
  if ('subscribe' in events)
    (wrapped as ServiceEvents).subscribe = tracked((events as ServiceEvents).subscribe.bind(events))
  return wrapped
}
