import { pathToFileURL } from 'node:url'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import type { FastifyInstance } from 'fastify'
import type { JSONWebKeySet } from 'jose'
import { createTokenVerifier, type TokenVerifier } from './auth.js'
import { type BaseConfig, ConfigError } from './config.js'
import { createDb, type Db } from './db.js'
import { createDnsDiscovery, createRegistryDiscovery, type Discovery } from './discovery.js'
import type { EventBus } from './events/event-bus.js'
import { ensureEventTables } from './events/event-tables.js'
import { openEventBus } from './events/open-event-bus.js'
import { createOutbox, type Outbox } from './events/outbox.js'
import { startOutboxRelay } from './events/outbox-relay.js'
import { createServiceClient, type ServiceClient, type ServiceClientOptions } from './grpc-client.js'
import { createGrpcServer, type GrpcBinding } from './grpc-server.js'
import type { ServiceDefinition } from './grpc-types.js'
import { createHealthServer } from './health-server.js'
import { createLogger, type Logger } from './logger.js'
import { createMetrics, type Metrics } from './metrics.js'
import { runMigrations } from './migrations.js'

/** What the chassis hands a service while it wires itself up. */
export interface ServiceContext<C extends BaseConfig> {
  config: C
  log: Logger
  metrics: Metrics
  discovery: Discovery
  /** The service's own database, migrated; present when the service declared a databaseUrl. */
  db: Db | undefined
  /** The event log at BUS_URL, when the service declared a busUrl; its subscriptions stop with the service. */
  bus: EventBus | undefined
  /** The outbox in the service's database: events appended in a change's transaction reach the bus after commit. */
  outbox: Outbox | undefined
  /** A typed client for a peer service, found through discovery. */
  client<D extends ServiceDefinition>(
    service: string,
    definition: D,
    opts?: Partial<Pick<ServiceClientOptions<D>, 'deadlineMs' | 'retries' | 'breaker'>>,
  ): ServiceClient<D>
  /** Run fn at shutdown, after the servers stopped and before the database closes. */
  onStop(fn: () => Promise<void> | void): void
  /** Verifies callers' access tokens (keys from the identity service unless the spec gives them). */
  verifier: TokenVerifier
}

/** What a service gives back to be served. */
export interface ServiceParts {
  grpc?: GrpcBinding[]
  /** .proto files (relative to protoRoot) described by server reflection. */
  proto?: { root: string; files: string[] }
  /** A public HTTP app (the gateway's), listened on config.port. */
  http?: FastifyInstance
}

export interface ServiceSpec<C extends BaseConfig> {
  name: string
  config: C & { databaseUrl?: string; port?: number; busUrl?: string }
  /** Folder of NNNN_name.sql migrations for the service's database. */
  migrations?: string
  setup(ctx: ServiceContext<C>): Promise<ServiceParts> | ServiceParts
  /** Install SIGTERM/SIGINT and parent-disconnect handlers (off in tests). */
  handleSignals?: boolean
  /** Where access-token keys come from; the identity service's GetJwks by default. */
  jwks?: () => Promise<JSONWebKeySet>
}

export interface RunningService {
  /** The public HTTP app, when the service has one (for tests that inspect its routes). */
  http: FastifyInstance | undefined
  grpcPort: number | undefined
  httpPort: number
  publicPort: number | undefined
  log: Logger
  db: Db | undefined
  stop(): Promise<void>
}

/** Starts a service the one way every service starts, and stops it the one way every service stops. */
export async function startService<C extends BaseConfig>(spec: ServiceSpec<C>): Promise<RunningService> {
  const { config } = spec
  const log = createLogger({ service: spec.name, instance: config.instanceId, level: config.logLevel })
  const metrics = createMetrics({ service: spec.name, instance: config.instanceId })
  const discovery = config.registryUrl
    ? createRegistryDiscovery(config.registryUrl, log)
    : createDnsDiscovery()
  const stopHooks: Array<() => Promise<void> | void> = []
  const clients: Array<{ close(): void }> = []
  let migrated = false
  let draining = false
  const client: ServiceContext<C>['client'] = (service, definition, opts = {}) => {
    const made = createServiceClient({ service, definition, discovery, log, metrics, ...opts })
    clients.push(made)
    return made
  }
  let identity: ServiceClient<typeof IdentityServiceService> | undefined
  const jwks =
    spec.jwks ??
    (async () => {
      identity ??= client('identity', IdentityServiceService)
      const { jwksJson } = await identity.call('getJwks', {})
      return JSON.parse(jwksJson) as JSONWebKeySet
    })
  const verifier = createTokenVerifier({ keys: jwks, log })

  const db = config.databaseUrl ? createDb(config.databaseUrl, { log, name: config.instanceId }) : undefined
  if (db && spec.migrations) {
    await runMigrations(db, spec.migrations, log)
  }
  // events: outbox and inbox tables beside the service's own, the bus, and the relay between them
  if (db) await ensureEventTables(db)
  const bus = config.busUrl ? await openEventBus(config.busUrl, { log, name: config.instanceId }) : undefined
  const outbox = db ? createOutbox({ service: spec.name }) : undefined
  const relay = db && bus ? startOutboxRelay({ db, bus, log }) : undefined
  migrated = true

  const parts = await spec.setup({
    config,
    log,
    metrics,
    discovery,
    db,
    bus,
    outbox,
    client,
    onStop: (fn) => void stopHooks.push(fn),
    verifier,
  })

  const ready = async () => !draining && migrated && (db ? await db.ping() : true)
  const health = createHealthServer({ ready, metrics })
  const httpPort = await health.listen(config.host, config.httpPort)

  const grpcServer =
    parts.grpc && parts.grpc.length > 0
      ? createGrpcServer({
          bindings: parts.grpc,
          protoRoot: parts.proto?.root ?? '',
          protoFiles: parts.proto?.files ?? [],
          log,
          metrics,
          verifier,
        })
      : undefined
  const grpcPort = grpcServer ? await grpcServer.listen(config.host, config.grpcPort) : undefined
  grpcServer?.setServing(true)

  let publicPort: number | undefined
  if (parts.http) {
    await parts.http.listen({ host: config.host, port: config.port ?? 8080 })
    const address = parts.http.server.address()
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
  log.info({ grpcPort, httpPort, publicPort }, `${spec.name} ready`)
  process.send?.({
    type: 'microshop:ready',
    instanceId: config.instanceId,
    pid: process.pid,
    grpcPort,
    httpPort,
    publicPort,
  })

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      draining = true
      grpcServer?.setServing(false)
      log.info('stopping: draining in-flight calls')
      await discovery.deregister().catch((err) => log.warn({ err }, 'deregister failed'))
      await Promise.all([grpcServer?.shutdown(config.shutdownTimeoutMs), parts.http?.close()])
      // consumers and the relay stop with the servers: no new work arrives, and none runs once the database closes
      await relay?.stop()
      await bus?.close()
      for (const hook of stopHooks) await hook()
      for (const client of clients) client.close()
      await health.close()
      await discovery.close()
      await db?.close()
      log.info('stopped')
    })()
    return stopping
  }

  if (spec.handleSignals !== false) {
    const exitAfterStop = (reason: string) => {
      if (stopping) return
      log.info({ reason }, 'shutdown requested')
      const force = setTimeout(() => {
        log.error('shutdown took too long, exiting')
        process.exit(1)
      }, config.shutdownTimeoutMs + 2_000)
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

  return { http: parts.http, grpcPort, httpPort, publicPort, log, db, stop }
}

/**
 * Runs start() when the module is the process entry point; a bad configuration stops the
 * process with the message alone (exit 78), any other start-up failure with its error (exit 1).
 */
export async function runAsMain(moduleUrl: string, start: () => Promise<unknown>): Promise<void> {
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
