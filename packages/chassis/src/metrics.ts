import client from 'prom-client'

type Labels<L extends string> = Partial<Record<L, string | number>>

interface Series {
  labels: Record<string, string | number>
  /** Observations by bucket, not cumulative; the last slot is above the highest bound. */
  counts: Float64Array
  sum: number
  count: number
}

/**
 * A histogram of the observations the chassis makes on every request, call, transaction and delivery.
 * prom-client's `observe` validated and hashed the labels into a sorted string, made a closure, and turned
 * the float bound it found into a property name twice, all at every call: about 4 µs of a gateway request
 * of ~110 µs (perf, under wrk). This one finds its series by one Map a label (the values are the callers'
 * own strings and numbers) and counts in an array. The registry exposes it as prom-client's, with the
 * same series, names and bucket labels.
 */
export class Histogram<L extends string> {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  private root = new Map<unknown, unknown>()
  private series: Series[] = []

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    private readonly bounds: readonly number[],
  ) {}

  /** Counts a value (seconds, for the chassis' own) for these labels; a label left out is not exposed. */
  observe(labels: Labels<L>, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`)
    const names = this.labelNames
    let node = this.root
    for (let i = 0; i < names.length - 1; i++) {
      const label = labels[names[i]!]
      let next = node.get(label) as Map<unknown, unknown> | undefined
      if (next === undefined) {
        next = new Map()
        node.set(label, next)
      }
      node = next
    }
    const last = names.length > 0 ? labels[names[names.length - 1]!] : undefined
    let series = node.get(last) as Series | undefined
    if (series === undefined) series = this.add(labels, node, last)
    const bounds = this.bounds
    let b = 0
    while (b < bounds.length && value > bounds[b]!) b++
    series.counts[b]!++
    series.sum += value
    series.count++
  }

  private add(labels: Labels<L>, node: Map<unknown, unknown>, last: unknown): Series {
    const kept: Record<string, string | number> = {}
    for (const name of this.labelNames) {
      const value = labels[name]
      if (value !== undefined) kept[name] = value
    }
    const series = { labels: kept, counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 }
    node.set(last, series)
    this.series.push(series)
    return series
  }

  /** Forgets every series (prom-client's Registry.resetMetrics). */
  reset(): void {
    this.root = new Map()
    this.series = []
  }

  /** The samples as prom-client's Registry writes them: each series' labels shared by its lines. */
  getForPromString() {
    const bucket = `${this.name}_bucket`
    const values: Array<{
      labels: Record<string, string | number>
      sharedLabels: Record<string, string | number>
      value: number
      metricName: string
      exemplar?: null
    }> = []
    for (const s of this.series) {
      let cumulative = 0
      this.bounds.forEach((le, i) => {
        cumulative += s.counts[i]!
        values.push({
          labels: { le },
          sharedLabels: s.labels,
          value: cumulative,
          metricName: bucket,
          exemplar: null,
        })
      })
      values.push(
        {
          labels: { le: '+Inf' },
          sharedLabels: s.labels,
          value: s.count,
          metricName: bucket,
          exemplar: null,
        },
        { labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count` },
      )
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }

  /** The samples with their labels merged, as prom-client's `get()` (getMetricsAsJSON). */
  get() {
    const data = this.getForPromString()
    return {
      ...data,
      values: data.values.map(({ labels, sharedLabels, ...rest }) => ({
        ...rest,
        labels: { ...labels, ...sharedLabels },
      })),
    }
  }
}

/**
 * The process's Prometheus registry with the instruments the chassis records at its boundaries, named after
 * OpenTelemetry's semantic conventions where they have a name (dots become underscores, the unit a suffix).
 */
export interface Metrics {
  registry: client.Registry
  http: Histogram<'http_request_method' | 'http_route' | 'http_response_status_code'>
  rpcServer: Histogram<'rpc_system' | 'rpc_service' | 'rpc_method' | 'rpc_grpc_status_code'>
  rpcClient: Histogram<'rpc_system' | 'rpc_service' | 'rpc_method' | 'rpc_grpc_status_code' | 'peer_service'>
  /** A service's database transactions, by how they ended. */
  transactions: Histogram<'outcome'>
  /** Events the relay handed to the event log, by type. */
  published: client.Counter<'messaging_system' | 'event_type'>
  /** Events handled by a consumer group: handled, duplicate (the inbox had it), failed. */
  processed: Histogram<'messaging_system' | 'messaging_consumer_group_name' | 'event_type' | 'outcome'>
  /** Events a group gave up on. */
  deadLettered: client.Counter<'messaging_consumer_group_name' | 'event_type'>
  /** Events a group refused before any handler ran (a source that is not the type's owner), by reason. */
  rejected: client.Counter<'messaging_consumer_group_name' | 'event_type' | 'reason'>
  /** Telemetry dropped rather than let it slow the service (a full queue, a receiver down). */
  telemetryDropped: client.Counter<'signal'>
  /** A gauge read when Prometheus scrapes: `read` answers its samples. */
  gaugeAtScrape<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: () => Promise<Array<{ labels: Labels<L>; value: number }>>,
  ): void
}

/** How often the event loop's delay is sampled for `nodejs_eventloop_lag_*`. */
export const EVENT_LOOP_SAMPLE_MS = 100

// Node's default metrics whose names end in _total but are gauges: Prometheus tooling (promtool) warns on them
const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
]

export function createMetrics(labels: { service: string; instance: string }): Metrics {
  const registry = new client.Registry()
  registry.setDefaultLabels(labels)
  // the event loop's delay is sampled by a timer: at prom-client's default (every 10 ms) it woke each idle
  // process 100 times a second, a third of what the whole system spent idle; 10 samples a second still
  // catch any delay worth a metric
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS })
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name)
  const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[]) => {
    const h = new Histogram<L>(name, help, labelNames, buckets)
    registry.registerMetric(h as unknown as client.Metric)
    return h
  }
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new client.Counter<L>({ name, help, labelNames, registers: [registry] })

  return {
    registry,
    http: histogram('http_server_request_duration_seconds', 'HTTP requests served, by route and status', [
      'http_request_method',
      'http_route',
      'http_response_status_code',
    ]),
    rpcServer: histogram('rpc_server_duration_seconds', 'gRPC calls served, by method and status code', [
      'rpc_system',
      'rpc_service',
      'rpc_method',
      'rpc_grpc_status_code',
    ]),
    rpcClient: histogram(
      'rpc_client_duration_seconds',
      'gRPC calls made, by peer service, method and status code (retries included)',
      ['rpc_system', 'rpc_service', 'rpc_method', 'rpc_grpc_status_code', 'peer_service'],
    ),
    transactions: histogram(
      'microshop_db_transaction_duration_seconds',
      'Transactions of the service database, by outcome (commit or rollback)',
      ['outcome'],
    ),
    published: counter(
      'messaging_client_sent_messages_total',
      'Events the outbox relay put on the event log',
      ['messaging_system', 'event_type'],
    ),
    processed: histogram(
      'messaging_process_duration_seconds',
      'Events handled by a consumer group, by type and outcome (handled, duplicate, failed)',
      ['messaging_system', 'messaging_consumer_group_name', 'event_type', 'outcome'],
    ),
    deadLettered: counter('microshop_events_dead_lettered_total', 'Events a consumer group gave up on', [
      'messaging_consumer_group_name',
      'event_type',
    ]),
    rejected: counter(
      'microshop_events_rejected_total',
      'Events a consumer group refused unhandled (and dead-lettered), by reason',
      ['messaging_consumer_group_name', 'event_type', 'reason'],
    ),
    telemetryDropped: counter(
      'microshop_telemetry_dropped_total',
      'Spans or log lines dropped, never waited for',
      ['signal'],
    ),
    gaugeAtScrape(name, help, labelNames, read) {
      if (registry.getSingleMetric(name)) registry.removeSingleMetric(name)
      new client.Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          this.reset()
          // a scrape answers what it can: a failed read leaves the gauge empty rather than failing /metrics
          const samples = await read().catch(() => [])
          for (const s of samples)
            this.set(s.labels as client.LabelValues<(typeof labelNames)[number]>, s.value)
        },
      })
    },
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

/** A histogram of the service's own (the same one when asked twice for a name), in seconds by default. */
export function serviceHistogram<L extends string>(
  metrics: Metrics,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
  buckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
): client.Histogram<L> {
  const existing = metrics.registry.getSingleMetric(name)
  if (existing) return existing as client.Histogram<L>
  return new client.Histogram({ name, help, labelNames, buckets, registers: [metrics.registry] })
}
