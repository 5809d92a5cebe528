import { eventStreams } from '@microshop/chassis'
import type { FastifyInstance } from 'fastify'
import type { TelemetryQueries } from '../app/query-telemetry.js'
import { openLogStream } from './log-follow.js'

type Query = Record<string, unknown>

/**
 * The query API (JSON): trace lists and whole traces, log lines (live with `follow=1`, as Server-Sent Events),
 * the latest metric summaries and the store's own numbers. Parameters are described in the README.
 */
export function registerQueryRoutes(
  app: FastifyInstance,
  queries: TelemetryQueries,
  settings: { heartbeatMs: number },
): void {
  const streams = eventStreams(app)

  app.get('/api/traces', async (request) => queries.traces(request.query as Query))

  app.get<{ Params: { traceId: string } }>('/api/traces/:traceId', async (request) =>
    queries.trace(request.params.traceId),
  )

  app.get('/api/logs', async (request, reply) => {
    const { follow, ...filter } = queries.logQuery(request.query as Query)
    if (!follow) return queries.logs(filter)
    let unfollow = () => {}
    const stream = openLogStream(streams, reply, {
      heartbeatMs: settings.heartbeatMs,
      onClose: () => unfollow(),
    })
    unfollow = queries.followLogs(filter, stream.send)
    return reply
  })

  app.get<{ Querystring: { service?: string } }>('/api/metrics', async (request) =>
    queries.metrics(typeof request.query.service === 'string' ? request.query.service : undefined),
  )

  app.get('/api/stats', async () => queries.stats())
}
