import { httpLogging, instrumentHttp, type Logger, type Metrics, type Telemetry } from '@microshop/chassis'
import Fastify, { type FastifyInstance } from 'fastify'
import type { PrometheusTargets } from '../app/prometheus-targets.js'
import type { TelemetryQueries } from '../app/query-telemetry.js'
import type { Receiver } from '../app/receive-telemetry.js'
import { registerDiscoveryRoutes } from './discovery-routes.js'
import { otlpRoutes } from './otlp-routes.js'
import { registerProblemHandlers } from './problems.js'
import { registerQueryRoutes } from './query-routes.js'

export interface ConsoleAppDeps {
  log: Logger
  metrics: Metrics
  telemetry: Telemetry
  receiver: Receiver
  queries: TelemetryQueries
  targets: PrometheusTargets
  /** The largest OTLP body, compressed or not. */
  bodyLimitBytes: number
  sseHeartbeatMs: number
}

const INDEX = {
  service: 'console',
  otlp: ['POST /v1/traces', 'POST /v1/logs', 'POST /v1/metrics'],
  api: [
    'GET /api/traces',
    'GET /api/traces/:traceId',
    'GET /api/logs',
    'GET /api/logs?follow=1',
    'GET /api/metrics',
    'GET /api/stats',
  ],
  discovery: ['GET /sd/prometheus'],
}

/** The console's HTTP app: the OTLP receiver, the query API and Prometheus service discovery. */
export async function createConsoleApp(deps: ConsoleAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...httpLogging(deps.log),
    bodyLimit: deps.bodyLimitBytes,
  })
  instrumentHttp(app, { telemetry: deps.telemetry, metrics: deps.metrics, requestContext: () => ({}) })
  registerProblemHandlers(app, { log: deps.log, bodyLimit: deps.bodyLimitBytes })
  await app.register(otlpRoutes({ receiver: deps.receiver, bodyLimit: deps.bodyLimitBytes }))
  registerQueryRoutes(app, deps.queries, { heartbeatMs: deps.sseHeartbeatMs })
  registerDiscoveryRoutes(app, deps.targets)
  app.get('/', async () => INDEX)
  return app
}
