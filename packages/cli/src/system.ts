import { existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import pg from 'pg'
import { CliError } from './cli-error.js'
import { createLogFiles, createLogFormatter } from './log-stream.js'
import { type MailCatcher, startMailCatcher } from './mail-catcher.js'
import { ensureCertificates } from './pki.js'
import { isPortTaken } from './ports.js'
import { type Postgres, prepareDataDir, privateDir, startPostgres } from './postgres.js'
import { commandLine, isAlive, signal } from './processes.js'
import { BUS, provision } from './provision.js'
import { ensureSecrets, readSecrets } from './secrets.js'
import { inheritedEnv } from './service-env.js'
import { type InstanceState, readState, removeState, type SystemState, writeState } from './state.js'
import { createSupervisor, type Supervisor, type SupervisorEvent } from './supervisor.js'
import { CONSOLE, GATEWAY, type ResolvedService, repoRoot } from './topology.js'

const ORDERS = 'orders'
const IDENTITY = 'identity'
const NOTIFICATIONS = 'notifications'

export interface SystemOptions {
  dataDir: string
  services: ResolvedService[]
  /** Where the launcher's own lines go. */
  report(line: string): void
  /** Where service log lines go, formatted. */
  print(line: string): void
  color: boolean
  json: boolean
  prefixWidth: number
  logLevel: string
  readyTimeoutMs?: number
  /** Every service in this process (peers called without the network), instead of a process each. */
  inProcess?: boolean
  /** Aborting it during start stops what was started and rejects. */
  signal?: AbortSignal
}

export interface RunningSystem {
  gatewayUrl: string | undefined
  consoleUrl: string | undefined
  pgPort: number
  /** Where the embedded SMTP server stores the services' emails; undefined when SMTP_URL was set outside. */
  mailDir: string | undefined
  startedInMs: number
  instances(): InstanceState[]
  /** Resolves if PostgreSQL dies under the running system. */
  postgresExited: Promise<void>
  /** Stops services (SIGKILL after 10 s or once `force` aborts), then PostgreSQL. */
  stop(force?: AbortSignal): Promise<void>
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

const PORT_CHOICES: Record<string, string> = {
  [GATEWAY]: '--port <n> or MICROSHOP_PORT',
  [CONSOLE]: '--console-port <n> or MICROSHOP_CONSOLE_PORT',
}

const withoutPassword = (url: string) => url.replace(/\/\/[^@/]*@/, '//')

/** Refuses to start over a live launcher, and ends instances a killed launcher left behind. */
function checkPrevious(dataDir: string) {
  const previous = readState(dataDir)
  if (!previous) return
  if (previous.launcherPid !== process.pid && isAlive(previous.launcherPid)) {
    throw new CliError(
      `microshop is already running here (pid ${previous.launcherPid}): run \`microshop down\` first`,
    )
  }
  for (const instance of previous.instances) {
    if (instance.pid && isAlive(instance.pid) && commandLine(instance.pid).includes(instance.entry)) {
      signal(instance.pid, 'SIGKILL')
    }
  }
}

async function preflight(options: SystemOptions) {
  for (const s of options.services) {
    if (!existsSync(s.entryPath)) {
      const shown = s.entryPath.startsWith(repoRoot) ? relative(repoRoot, s.entryPath) : s.entryPath
      throw new CliError(`${shown} not found (service ${s.name}): run \`npm run build\` first`)
    }
  }
  for (const s of options.services) {
    if (s.publicPort !== undefined && (await isPortTaken(s.publicPort))) {
      throw new CliError(
        `port ${s.publicPort} (${s.name}) is already in use: pick another with ${PORT_CHOICES[s.name] ?? 'a topology that gives it another'}`,
      )
    }
  }
  if (existsSync(join(options.dataDir, 'pg', 'PG_VERSION')) && !readSecrets(options.dataDir)) {
    throw new CliError(
      `${options.dataDir} has a database but no secrets.json: remove the folder to start afresh`,
    )
  }
}

/** Connections per service's database pool when the launcher runs the system on one embedded PostgreSQL. */
export const LOCAL_POOL_MAX = '4'

/** Starts PostgreSQL and every service instance and waits until all are ready; on failure, stops what it started. */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const { dataDir, services, report } = options
  const started = Date.now()
  await prepareDataDir(dataDir, report)
  await privateDir(join(dataDir, 'logs'))
  checkPrevious(dataDir)
  await preflight(options)

  // a login role per service (its own database, its share of the bus and the registry)
  const secrets = await ensureSecrets(dataDir, [BUS, ...new Set(services.map((s) => s.name))])
  // service identity: a local CA made on first start, a certificate per service (SAN = its name) for mTLS
  const tlsDirs = await ensureCertificates(
    dataDir,
    services.map((s) => s.name),
  )
  let postgres: Postgres | undefined
  let registry: pg.Pool | undefined
  let supervisor: Supervisor | undefined
  let mail: MailCatcher | undefined
  const logFiles = createLogFiles(join(dataDir, 'logs'))
  let stopping: Promise<void> | undefined
  let writing = Promise.resolve()

  const stop = (force?: AbortSignal) => {
    stopping ??= (async () => {
      const began = Date.now()
      if (supervisor) {
        await supervisor.stop(10_000, force)
        report(`services stopped (${Date.now() - began} ms)`)
      }
      await registry?.end().catch(() => undefined)
      if (mail) {
        await mail.stop()
        report(`mail catcher stopped (${mail.count()} mail${mail.count() === 1 ? '' : 's'} received)`)
      }
      await logFiles.close()
      if (postgres) {
        await postgres.stop()
        report(`PostgreSQL stopped (${Date.now() - began} ms)`)
      }
      await writing
      await removeState(dataDir)
    })()
    return stopping
  }

  try {
    postgres = await startPostgres({
      dataDir,
      superuserPassword: secrets.superuser,
      report,
      signal: options.signal,
    })
    await provision(postgres, secrets, services)
    options.signal?.throwIfAborted()
    const pgUrl = postgres.url
    const registryUrl = pgUrl(BUS, secrets.roles[BUS] ?? '', BUS)
    // each service logs in to its database, the registry and the bus as its own role
    const urlsOf = (service: string) => {
      const password = secrets.roles[service] ?? ''
      return {
        database: pgUrl(service, password, service),
        // the registry's table is in the bus's database: the same URL, so one pool serves both
        registry: pgUrl(service, password, BUS),
        // a BUS_URL the user set (nats://…) wins over the local postgres log
        bus: process.env.BUS_URL || pgUrl(service, password, BUS),
      }
    }
    report(
      `event log: ${process.env.BUS_URL ? withoutPassword(process.env.BUS_URL) : 'PostgreSQL (database bus)'}`,
    )
    // an SMTP_URL the user set wins over the embedded catcher
    if (!process.env.SMTP_URL) mail = await startMailCatcher({ dir: join(dataDir, 'mail') })
    const smtpUrl = mail?.url ?? process.env.SMTP_URL ?? ''
    report(
      mail ? `mail: SMTP on ${mail.url}, stored in ${mail.dir}` : `mail: sent to ${withoutPassword(smtpUrl)}`,
    )
    registry = new pg.Pool({ connectionString: registryUrl, max: 1 })
    registry.on('error', () => undefined)

    const format = createLogFormatter({
      color: options.color,
      json: options.json,
      width: options.prefixWidth,
    })
    const gateway = services.find((s) => s.name === GATEWAY && s.publicPort !== undefined)
    const gatewayUrl = gateway ? `http://localhost:${gateway.publicPort}/` : undefined
    const telemetryConsole = services.find((s) => s.name === CONSOLE && s.publicPort !== undefined)
    const consoleUrl = telemetryConsole ? `http://127.0.0.1:${telemetryConsole.publicPort}/` : undefined
    // an OTEL_EXPORTER_OTLP_ENDPOINT the user set (a collector) wins over the local console
    const otlpEndpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT || consoleUrl?.replace(/\/$/, '')
    report(
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT
        ? `telemetry: traces and logs sent to ${withoutPassword(process.env.OTEL_EXPORTER_OTLP_ENDPOINT)}`
        : consoleUrl
          ? `telemetry: traces and logs kept by the console on ${consoleUrl}`
          : 'telemetry: no console in this topology, traces and logs are not gathered',
    )
    const pgPort = postgres.port
    const pgPid = postgres.pid

    const saveState = () => {
      const state: SystemState = {
        launcherPid: process.pid,
        pgPort,
        pgPid,
        gatewayUrl,
        consoleUrl,
        startedAt: new Date(started).toISOString(),
        instances: supervisor?.instances() ?? [],
      }
      writing = writing.then(() => (stopping ? undefined : writeState(dataDir, state))).catch(() => undefined)
    }

    const onEvent = (event: SupervisorEvent) => {
      const { instance } = event
      if (event.type === 'ready') {
        const ports = [`grpc ${instance.grpcPort ?? '-'}`, `http ${instance.httpPort ?? '-'}`]
        if (instance.publicPort) ports.push(`public ${instance.publicPort}`)
        report(`${instance.id} ready in ${event.elapsedMs} ms (pid ${instance.pid}, ${ports.join(', ')})`)
      } else {
        const how = event.signal ? `signal ${event.signal}` : `code ${event.code}`
        // clients stop routing to it at once instead of waiting for the heartbeat to expire
        registry
          ?.query('delete from service_instances where instance_id = $1 and pid = $2', [
            instance.id,
            event.pid,
          ])
          .catch(() => undefined)
        if (event.restartInMs !== undefined) {
          report(`${instance.id} exited (${how}) — restarting in ${seconds(event.restartInMs)}`)
        }
      }
      saveState()
    }

    // the in-process host loads the whole chassis: a launcher of child processes needs none of it
    supervisor = (
      options.inProcess ? (await import('./in-process-host.js')).createInProcessHost : createSupervisor
    )({
      services,
      cwd: repoRoot,
      env: (service, instanceId) => {
        const urls = urlsOf(service.name)
        return {
          ...inheritedEnv(service.name, process.env),
          INSTANCE_ID: instanceId,
          HOST: '127.0.0.1',
          GRPC_PORT: '0',
          HTTP_PORT: '0',
          TLS_DIR: tlsDirs.get(service.name) ?? '',
          ...(service.publicPort !== undefined && { PORT: String(service.publicPort) }),
          ...(service.database && { DATABASE_URL: urls.database }),
          // one PostgreSQL shared by every service on a small machine: 4 connections per pool, not the chassis's
          // 10, halve the backends a load keeps open (orders' 35 → 17 MB of PSS in bench:tracing's 5-minute run,
          // 1056 → 989 MB over the system) at the same orders/s; a DATABASE_POOL_MAX set by the user wins
          ...(service.database && { DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX || LOCAL_POOL_MAX }),
          REGISTRY_URL: urls.registry,
          // the console exports nothing of its own: it is where the others' telemetry goes
          ...(otlpEndpoint && service.name !== CONSOLE ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint } : {}),
          BUS_URL: urls.bus,
          ...(service.name === NOTIFICATIONS && { SMTP_URL: smtpUrl }),
          LOG_LEVEL: options.logLevel,
          MICROSHOP_LOCAL: '1',
          ...(service.name === ORDERS && { ORDERS_FINGERPRINT_KEY: secrets.keys.ordersFingerprint ?? '' }),
          ...(service.name === IDENTITY && {
            IDENTITY_KEY_ENCRYPTION_KEY: secrets.keys.identityKeyEncryption ?? '',
          }),
        }
      },
      onLine: (instance, serviceIndex, line) => {
        logFiles.write(instance.id, line)
        options.print(format(instance.id, serviceIndex, line))
      },
      onEvent,
      // the others send their last spans and log lines to the console as they stop
      stopLast: [CONSOLE],
    })
    const count = supervisor.instances().length
    report(
      `starting ${count} instance${count === 1 ? '' : 's'}${options.inProcess ? ` in this process (pid ${process.pid}), peers called in-process` : ''}: ${services.map((s) => `${s.name}×${s.replicas}`).join(', ')}`,
    )
    supervisor.start()
    saveState()
    await supervisor.waitAllReady(options.readyTimeoutMs ?? 60_000, options.signal)
    const startedInMs = Date.now() - started
    report(`all ${count} instances ready in ${seconds(startedInMs)}`)

    const running = supervisor
    return {
      gatewayUrl,
      consoleUrl,
      pgPort,
      mailDir: mail?.dir,
      startedInMs,
      instances: () => running.instances(),
      postgresExited: postgres.exited.then(() => (stopping ? new Promise<void>(() => {}) : undefined)),
      stop,
    }
  } catch (err) {
    if (postgres && !options.signal?.aborted) report('start failed: stopping what was started')
    await stop()
    throw err
  }
}
