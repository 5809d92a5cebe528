import Fastify from 'fastify'
import type { Metrics } from './metrics.js'

export interface HealthServer {
  listen(host: string, port: number): Promise<number>
  close(): Promise<void>
}

/** The small operational listener every service has: liveness, readiness and Prometheus metrics. */
export function createHealthServer(opts: { ready: () => Promise<boolean>; metrics: Metrics }): HealthServer {
  const app = Fastify({ logger: false })
  app.get('/health/live', async () => ({ status: 'ok' }))
  app.get('/health/ready', async (_req, reply) => {
    const ready = await opts.ready().catch(() => false)
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' })
  })
  app.get('/metrics', async (_req, reply) =>
    reply.type(opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics()),
  )
  return {
    async listen(host, port) {
      await app.listen({ host, port })
      const address = app.server.address()
      return typeof address === 'object' && address ? address.port : port
    },
    close: () => app.close(),
  }
}
