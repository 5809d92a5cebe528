import client from 'prom-client'

/** The process's Prometheus registry with the instruments the chassis records at its boundaries. */
export interface Metrics {
  registry: client.Registry
  rpcServer: client.Histogram<'method' | 'code'>
  rpcClient: client.Histogram<'peer' | 'method' | 'code'>
  http: client.Histogram<'method' | 'route' | 'status'>
}

export function createMetrics(labels: { service: string; instance: string }): Metrics {
  const registry = new client.Registry()
  registry.setDefaultLabels(labels)
  client.collectDefaultMetrics({ register: registry })
  const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
  return {
    registry,
    rpcServer: new client.Histogram({
      name: 'rpc_server_duration_seconds',
      help: 'gRPC calls served, by method and status code',
      labelNames: ['method', 'code'],
      buckets,
      registers: [registry],
    }),
    rpcClient: new client.Histogram({
      name: 'rpc_client_duration_seconds',
      help: 'gRPC calls made, by peer service, method and status code',
      labelNames: ['peer', 'method', 'code'],
      buckets,
      registers: [registry],
    }),
    http: new client.Histogram({
      name: 'http_server_duration_seconds',
      help: 'HTTP requests served, by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets,
      registers: [registry],
    }),
  }
}

/** A counter of the service's own in the process's registry (the same one when asked twice for a name). */
export function serviceCounter<L extends string>(
  metrics: Metrics,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): client.Counter<L> {
  const existing = metrics.registry.getSingleMetric(name)
  if (existing) return existing as client.Counter<L>
  return new client.Counter({ name, help, labelNames, registers: [metrics.registry] })
}
