import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { JwksJson } from '@microshop/contracts'
import { mayCall } from '@microshop/contracts'
import type { FastifyInstance } from 'fastify'
import type { JSONWebKeySet } from 'jose'
import type { DestinationStream } from 'pino'
import { createTokenVerifier, type TokenVerifier } from './auth.js'
import { type BaseConfig, ConfigError } from './config.js'
import { createDb, type Db } from './db.js'
import { createDnsDiscovery, createRegistryDiscovery, type Discovery } from './discovery.js'
import { createEventSigner, createEventVerifier } from './events/event-signature.js'
import { ensureEventTables } from './events/event-tables.js'
import { openEventBus } from './events/open-event-bus.js'
import { createOutbox } from './events/outbox.js'
import { startOutboxRelay } from './events/outbox-relay.js'
import {
  createListener,
  createServiceEvents,
  type ListeningEvents,
  type ServiceEvents,
} from './events/service-events.js'
import { type BreakerOptions, createServiceClient, type ServiceClient } from './grpc-client.js'
import { createGrpcServer, type GrpcBinding } from './grpc-server.js'
import type { ServiceDefinition } from './grpc-types.js'
import { createHealthServer } from './health-server.js'
import { keepHeapSnug } from './heap.js'
import { createInProcessServer, type InProcessRegistry, inProcessTransport } from './in-process.js'
import { createLogExporter } from './log-export.js'
import { createLogger, type Logger } from './logger.js'
import { createMetrics, type Metrics } from './metrics.js'
import { runMigrations } from './migrations.js'
import { packageDir } from './paths.js'
import { registerOutboxMetrics, registerPoolMetrics, withLagMetrics } from './service-metrics.js'
import { createTelemetry, type SpanExporter, type Telemetry } from './telemetry.js'
import { startTimer, type Timer, type TimerSpec } from './timer.js'
import { loadTls, type TlsMaterial, tlsSettingsGiven } from './tls.js'

/** The time as the service sees it; tests pass a clock they move by hand. */
export type Clock = () => Date

export type Env = Record<string, string | undefined>

/** A peer service this one calls, with the options of its client. */
export interface PeerOptions<D extends ServiceDefinition = ServiceDefinition> {
  definition: D
  /** Deadline of each call (retries included). Default 2 s. */
  deadlineMs?: number
  /** Attempts beyond the first (another instance when one is unreachable, again after a retryable answer), within the client's retry budget. Default 2. */
  retries?: number
  /** A circuit breaker around every call; none by default. */
  breaker?: BreakerOptions
}

/** A peer with client options: `peer(FraudServiceService, { deadlineMs: 500, breaker: … })`. */
export const peer = <D extends ServiceDefinition>(
  definition: D,
  opts: Omit<PeerOptions<D>, 'definition'> = {},
): PeerOptions<D> => ({ definition, ...opts })

/** The peers a service calls, by service name: a definition, or a definition with options. */
export type PeerSpecs = Record<string, ServiceDefinition | PeerOptions>

type DefinitionOf<S> = S extends PeerOptions<infer D> ? D : S extends ServiceDefinition ? S : never

/** A typed client per declared peer, found through discovery. */
export type Peers<P extends PeerSpecs> = { readonly [K in keyof P]: ServiceClient<DefinitionOf<P[K]>> }

/** What the chassis hands every service while it wires itself up. */
export interface BaseContext<C, P extends PeerSpecs> {
  config: C
  log: Logger
  metrics: Metrics
  clock: Clock
  peers: Peers<P>
  /** Verifies callers' access tokens, with the keys the service's spec names. */
  verifier: TokenVerifier
  /** The service's tracing, for work the chassis does not see (an SMTP send, a step resumed from a stored trace). */
  telemetry: Telemetry
  /** Starts periodic work now; the chassis stops it at shutdown, before the database closes. */
  every(spec: TimerSpec): Timer
  /** Runs fn at shutdown, after the servers stopped and before the peers, the bus and the database close. */
  onStop(fn: () => Promise<void> | void): void
  /**
   * Holds the instance's readiness until work settles: start-up work that needs a peer, which may start after
   * this service, so setup cannot await it. Called during setup.
   */
  readyAfter(work: Promise<unknown>): void
}

/** The context of a service, with a handle for each thing it declared it uses and nothing else. */
export type ServiceContext<C, P extends PeerSpecs, D extends boolean, E extends boolean> = BaseContext<C, P> &
  (D extends true ? { db: Db } : unknown) &
  (E extends true ? { events: D extends true ? ServiceEvents : ListeningEvents } : unknown)

/** What a service gives back to be served. */
export interface ServiceParts {
  grpc?: GrpcBinding[]
  /** .proto files (relative to root) described by server reflection. */
  proto?: { root: string; files: string[] }
  /** A public HTTP app (the gateway's), listened on config.port. */
  http?: FastifyInstance
  /** Where access-token keys come from, when setup makes them (the identity service, which issues them). */
  accessTokenKeys?: () => Promise<JwksJson | JSONWebKeySet>
}

type ConfigNeeds<D extends boolean, E extends boolean> = (D extends true
  ? { databaseUrl: string }
  : unknown) &
  (E extends true ? { busUrl: string } : unknown)

export interface ServiceSpec<
  C extends BaseConfig,
  P extends PeerSpecs,
  D extends boolean,
  E extends boolean,
> {
  name: string
  /** `import.meta.url` of the service's main module: its package holds `src/store/migrations`. */
  module: string
  /** Reads and validates the environment (the service's config.ts). */
  config(env: Env): C & ConfigNeeds<D, E>
  /** Keeps its data in its own database at DATABASE_URL, migrated at start. */
  database?: D
  /** Emits or consumes events: the bus at BUS_URL (and, with a database, the outbox and its relay). */
  events?: E
  /** The services it calls. */
  peers?: P | ((config: C) => P)
  /** Where the keys of callers' access tokens come from (a peer's GetJwks), for services that check callers. */
  accessTokens?: (peers: Peers<P>) => Promise<JwksJson>
  setup(ctx: ServiceContext<C, P, D, E>): Promise<ServiceParts> | ServiceParts
}

export interface StartOptions {
  /** Install SIGTERM/SIGINT and parent-disconnect handlers (off in tests). Default true. */
  handleSignals?: boolean
  clock?: Clock
  /** Where the service's spans go instead of OTLP (tests: the SDK's in-memory exporter). */
  spanExporter?: SpanExporter
  /**
   * Run in-process with the other services of this registry: peers are called through their handlers here,
   * not over gRPC, and the service serves its own calls the same way (it listens on no gRPC port).
   */
  inProcess?: InProcessRegistry
  /** Where log lines go instead of stdout. */
  logDestination?: DestinationStream
}

export interface RunningService {
  /** The public HTTP app, when the service has one (for tests that inspect its routes). */
  http: FastifyInstance | undefined
  grpcPort: number | undefined
  httpPort: number
  publicPort: number | undefined
  log: Logger
  db: Db | undefined
  /** Resolves once the instance is ready (its readyAfter work settled), or once it stops before. */
  whenReady: Promise<void>
  stop(): Promise<void>
}

/** Starts a service from its environment; `startCart(env, { handleSignals: false })` in tests. */
export type ServiceStarter = (env?: Env, opts?: StartOptions) => Promise<RunningService>

/** Closers of what start() opened, run last-opened first: at stop, or when start fails half-way. */
function createResources(log: Logger) {
  const closers: Array<() => Promise<unknown> | unknown> = []
  return {
    add(close: () => Promise<unknown> | unknown) {
      closers.push(close)
    },
    async closeAll() {
      for (const close of closers.splice(0).reverse())
        await Promise.resolve()
          .then(close)
          .catch((err) => log.warn({ err }, 'closing a resource failed'))
    },
  }
}

/**
 * A service the one way every service is: it declares what it uses (database, events, peers) and gets a
 * handle for each; everything opened is closed at stop, or at once when start fails half-way.
 */
export function defineService<
  C extends BaseConfig,
  P extends PeerSpecs = Record<never, never>,
  D extends boolean = false,
  E extends boolean = false,
>(spec: ServiceSpec<C, P, D, E>): ServiceStarter {
  return async (env = process.env, opts = {}) => {
    const config = spec.config(env)
    keepHeapSnug()
    return start(spec, config, opts)
  }
}

async function start<C extends BaseConfig, P extends PeerSpecs, D extends boolean, E extends boolean>(
  spec: ServiceSpec<C, P, D, E>,
  config: C & ConfigNeeds<D, E> & { port?: number },
  opts: StartOptions,
): Promise<RunningService> {
  const metrics = createMetrics({ service: spec.name, instance: config.instanceId })
  const dropped = (signal: string) => (count: number) => metrics.telemetryDropped.inc({ signal }, count)
  const endpoint = config.otlpEndpoint
  const logExport = endpoint
    ? createLogExporter({
        endpoint,
        service: spec.name,
        instance: config.instanceId,
        onDrop: dropped('logs'),
      })
    : undefined
  const log = createLogger({
    service: spec.name,
    instance: config.instanceId,
    level: config.logLevel,
    ...(logExport ? { also: logExport.stream } : {}),
    ...(opts.logDestination ? { destination: opts.logDestination } : {}),
  })
  const telemetry = createTelemetry({
    service: spec.name,
    instance: config.instanceId,
    endpoint,
    sampler: config.tracesSampler,
    samplerArg: config.tracesSamplerArg,
    log,
    onDrop: dropped('spans'),
    ...(opts.spanExporter ? { exporter: opts.spanExporter } : {}),
  })
  const obs = { telemetry, metrics }
  const clock = opts.clock ?? (() => new Date())
  const resources = createResources(log)
  // closed last: the spans and lines of the shutdown itself still leave
  const flushBudgetMs = Math.min(2_000, config.shutdownTimeoutMs)
  resources.add(() => logExport?.shutdown(flushBudgetMs))
  resources.add(() => telemetry.shutdown(flushBudgetMs))
  let draining = false

  try {
    const discovery: Discovery = config.registryUrl
      ? createRegistryDiscovery(config.registryUrl, log)
      : createDnsDiscovery()
    resources.add(() => discovery.close())

    let db: Db | undefined
    if (spec.database) {
      const { databaseUrl: url, databasePoolMax: max } = config as {
        databaseUrl?: string
        databasePoolMax?: number
      }
      if (!url) throw new ConfigError([`DATABASE_URL: ${spec.name} keeps its data in a database (not set)`])
      const opened = createDb(url, { log, name: config.instanceId, ...(max ? { max } : {}), ...obs })
      db = opened
      resources.add(() => opened.close())
      registerPoolMetrics(metrics, opened, spec.name)
      await runMigrations(opened, join(packageDir(spec.module), 'src/store/migrations'), log)
    }

    const peerSpecs: PeerSpecs =
      typeof spec.peers === 'function' ? spec.peers(config) : ((spec.peers ?? {}) as PeerSpecs)
    // mutual TLS for every gRPC server and client of the service (plaintext only with GRPC_INSECURE)
    // (read only by a service that speaks gRPC: one without peers or server, the console, needs no certificate)
    let tls: TlsMaterial | undefined | null = null
    const grpcTls = () => {
      if (tls === null) {
        tls = loadTls(config, spec.name)
        if (!tls)
          log.warn('GRPC_INSECURE: gRPC is plaintext, callers are unidentified, the call policy is off')
      }
      return tls
    }
    const peers: Record<string, ServiceClient<ServiceDefinition>> = {}
    for (const [service, peerSpec] of Object.entries(peerSpecs)) {
      const { definition, ...clientOpts } =
        'definition' in peerSpec ? (peerSpec as PeerOptions) : { definition: peerSpec }
      const client = createServiceClient({
        service,
        definition,
        log,
        ...obs,
        ...clientOpts,
        ...(opts.inProcess
          ? { transport: inProcessTransport(opts.inProcess, service, spec.name) }
          : { discovery, tls: grpcTls() }),
      })
      peers[service] = client
      resources.add(() => client.close())
    }

    let events: ServiceEvents | ListeningEvents | undefined
    if (spec.events) {
      const busUrl = (config as { busUrl?: string }).busUrl
      if (!busUrl) throw new ConfigError([`BUS_URL: ${spec.name} emits or consumes events (not set)`])
      // with a certificate, events are signed by their producer and verified by their consumers: the bus
      // (NATS without per-service users) cannot tell who published, the signature can
      const eventTls = tlsSettingsGiven(config) ? grpcTls() : undefined
      const verify = eventTls && createEventVerifier(eventTls)
      const bus = await openEventBus(busUrl, { log, name: config.instanceId })
      resources.add(() => bus.close())
      if (db) {
        await ensureEventTables(db)
        const outbox = createOutbox({ service: spec.name, sign: eventTls && createEventSigner(eventTls) })
        const relay = startOutboxRelay({ db, bus, log, ...obs })
        resources.add(() => relay.stop())
        registerOutboxMetrics(metrics, db)
        events = createServiceEvents({ service: spec.name, bus, db, outbox, obs, log, verify })
      } else events = createListener({ service: spec.name, bus, obs, log, verify })
      events = withLagMetrics(events, metrics)
    }

    let keySource: (() => Promise<JwksJson | JSONWebKeySet>) | undefined = spec.accessTokens
      ? () => spec.accessTokens!(peers as Peers<P>)
      : undefined
    const verifier = createTokenVerifier({
      keys: () => {
        if (!keySource) throw new Error(`${spec.name} declares no source of access-token keys`)
        return keySource() as Promise<JSONWebKeySet>
      },
      log,
      clock,
    })

    // keys identity removed stop verifying without a restart (an unknown kid refetches sooner, in the verifier)
    const keyRefresh = startTimer(
      {
        name: 'refresh-access-token-keys',
        intervalMs: config.accessTokenKeysRefreshSeconds * 1000,
        run: async () => ((await verifier.refreshKeys()) === 'changed' ? undefined : 'idle'),
      },
      log,
      metrics,
      telemetry,
    )
    resources.add(() => keyRefresh.stop())

    const startUpWork: Promise<unknown>[] = []
    const ctx = {
      config,
      log,
      metrics,
      clock,
      peers,
      verifier,
      telemetry,
      every(timerSpec: TimerSpec) {
        const timer = startTimer(timerSpec, log, metrics, telemetry)
        resources.add(() => timer.stop())
        return timer
      },
      onStop(fn: () => Promise<void> | void) {
        resources.add(fn)
      },
      readyAfter(work: Promise<unknown>) {
        startUpWork.push(work)
      },
      ...(db ? { db } : {}),
      ...(events ? { events } : {}),
    } as unknown as ServiceContext<C, P, D, E>
    const parts = await spec.setup(ctx)
    if (parts.accessTokenKeys) keySource = parts.accessTokenKeys

    // ready once every listener is up, the instance is in the registry and its start-up work is done,
    // not as soon as /health answers
    let started = false
    const ready = async () => started && !draining && (db ? await db.ping() : true)
    const health = createHealthServer({ ready, metrics })
    const httpPort = await health.listen(config.host, config.httpPort)
    resources.add(() => health.close())

    const bindings = parts.grpc ?? []
    const serves = bindings.length > 0
    const grpcDeps = {
      ...(serves && grpcTls() ? { tls: grpcTls(), policy: mayCall } : {}),
      bindings,
      log,
      metrics,
      telemetry,
      verifier,
    }
    const grpcServer =
      serves && !opts.inProcess
        ? createGrpcServer({
            ...grpcDeps,
            protoRoot: parts.proto?.root ?? '',
            protoFiles: parts.proto?.files ?? [],
          })
        : undefined
    const grpcPort = grpcServer ? await grpcServer.listen(config.host, config.grpcPort) : undefined
    if (grpcServer) resources.add(() => grpcServer.shutdown(config.shutdownTimeoutMs))
    grpcServer?.setServing(true)
    const registry = opts.inProcess
    if (serves && registry) {
      const server = createInProcessServer(grpcDeps)
      const leave = registry.add(spec.name, config.instanceId, server.dispatch)
      resources.add(() => {
        leave()
        return server.drain(config.shutdownTimeoutMs)
      })
    }

    let publicPort: number | undefined
    const http = parts.http
    if (http) {
      resources.add(() => http.close())
      await http.listen({ host: config.host, port: config.port ?? 8080 })
      const address = http.server.address()
      publicPort = typeof address === 'object' && address ? address.port : config.port
    }

    const advertiseHost = config.advertiseHost ?? (config.host === '0.0.0.0' ? '127.0.0.1' : config.host)
    await discovery.register({
      instanceId: config.instanceId,
      service: spec.name,
      host: advertiseHost,
      grpcPort: grpcPort ?? null,
      httpPort,
      publicPort: publicPort ?? null,
      pid: process.pid,
    })
    resources.add(() => discovery.deregister())
    let stopRequested: () => void = () => undefined
    const stopped = new Promise<void>((resolve) => {
      stopRequested = resolve
    })
    const whenReady = Promise.race([Promise.allSettled(startUpWork), stopped]).then(() => {
      if (draining) return
      started = true
      log.info({ grpcPort, httpPort, publicPort }, `${spec.name} ready`)
      // a service sharing the process with others is not the process the launcher waits for
      if (!opts.inProcess)
        process.send?.({
          type: 'microshop:ready',
          instanceId: config.instanceId,
          pid: process.pid,
          grpcPort,
          httpPort,
          publicPort,
        })
    })

    let stopping: Promise<void> | undefined
    const stop = () => {
      stopping ??= (async () => {
        draining = true
        stopRequested()
        grpcServer?.setServing(false)
        log.info('stopping: draining in-flight calls')
        await resources.closeAll()
        log.info('stopped')
      })()
      return stopping
    }
    if (opts.handleSignals !== false) handleSignals(stop, log, config.shutdownTimeoutMs)
    return { http, grpcPort, httpPort, publicPort, log, db, whenReady, stop }
  } catch (err) {
    await resources.closeAll()
    throw err
  }
}

function handleSignals(stop: () => Promise<void>, log: Logger, shutdownTimeoutMs: number) {
  let requested = false
  const exitAfterStop = (reason: string) => {
    if (requested) return
    requested = true
    log.info({ reason }, 'shutdown requested')
    const force = setTimeout(() => {
      log.error('shutdown took too long, exiting')
      process.exit(1)
    }, shutdownTimeoutMs + 2_000)
    force.unref()
    stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => exitAfterStop('SIGTERM'))
  process.once('SIGINT', () => exitAfterStop('SIGINT'))
  // launched by the microshop CLI: when the launcher goes away, so do we
  process.once('disconnect', () => exitAfterStop('launcher gone'))
}

/**
 * Starts the service when the module is the process entry point; a bad configuration stops the
 * process with the message alone (exit 78), any other start-up failure with its error (exit 1).
 */
export async function runAsMain(moduleUrl: string, start: ServiceStarter): Promise<void> {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return
  try {
    await start()
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(78)
    }
    process.stderr.write(`start-up failed: ${(err as Error).stack ?? err}\n`)
    process.exit(1)
  }
}
