import type { FastifyInstance } from 'fastify'
import type { PrometheusTargets } from '../app/prometheus-targets.js'

/** `GET /sd/prometheus`: Prometheus HTTP service discovery, one target group per healthy instance. */
export function registerDiscoveryRoutes(app: FastifyInstance, targets: PrometheusTargets): void {
  app.get('/sd/prometheus', async (_request, reply) =>
    reply.type('application/json').send(await targets.list()),
  )
}
