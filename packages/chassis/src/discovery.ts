import type pg from 'pg'
import { ensureSchema, keepsSchemaOf } from './db.js'
import { advisoryLocks } from './locks.js'
import type { Logger } from './logger.js'
import { acquirePool } from './shared-pool.js'
import { startTimer, type Timer } from './timer.js'

/** One running replica of a service, as the registry knows it. */
export interface Instance {
  instanceId: string
  service: string
  host: string
  grpcPort: number | null
  httpPort: number | null
  publicPort: number | null
  pid: number
}

/** Finds the healthy instances of a service by name. */
export interface Discovery {
  /** gRPC targets (`host:port` or `dns:///name:port`) of the healthy instances of `service`. */
  resolve(service: string): Promise<string[]>
  /** Forget what is cached for `service`, after a call found an instance gone. */
  invalidate(service: string): void
  register(instance: Instance): Promise<void>
  deregister(): Promise<void>
  close(): Promise<void>
}

export const HEARTBEAT_MS = 2_000
export const TTL_SECONDS = 10
const CACHE_MS = 1_000

/** The registry table in the platform database; the launcher creates it too, so `status` works before any service ran. */
export const REGISTRY_DDL = `create table if not exists service_instances (
  instance_id text primary key, service text not null, host text not null,
  grpc_port int, http_port int, public_port int, pid int not null,
  started_at timestamptz not null default now(), last_seen timestamptz not null default now())`

interface Row {
  instance_id: string
  service: string
  host: string
  grpc_port: number | null
  http_port: number | null
  public_port: number | null
  pid: number
}

const toInstance = (r: Row): Instance => ({
  instanceId: r.instance_id,
  service: r.service,
  host: r.host,
  grpcPort: r.grpc_port,
  httpPort: r.http_port,
  publicPort: r.public_port,
  pid: r.pid,
})

/** Lists the instances whose heartbeat is within the TTL. */
export async function listInstances(db: Pick<pg.Pool, 'query'>, service?: string): Promise<Instance[]> {
  const { rows } = await db.query<Row>(
    `select * from service_instances where last_seen > now() - make_interval(secs => $1)
       and ($2::text is null or service = $2) order by service, instance_id`,
    [TTL_SECONDS, service ?? null],
  )
  return rows.map(toInstance)
}

/**
 * Discovery through a registry table in the platform database: each instance upserts its row
 * every HEARTBEAT_MS; an instance silent for TTL_SECONDS drops out of every resolve.
 */
export function createRegistryDiscovery(url: string, log: Logger): Discovery {
  // with the event log in the same database as the same role (locally), its connections serve both
  const shared = acquirePool(url, { max: 2, connectionTimeoutMillis: 3_000 }, (err) =>
    log.warn({ err }, 'registry connection failed'),
  )
  const { pool } = shared
  const cache = new Map<string, { at: number; targets: Promise<string[]> }>()
  let self: Instance | undefined
  let heartbeat: Timer | undefined
  let ready: Promise<unknown> | undefined
  const ensureTable = () => {
    // replicas starting together race on `create table if not exists`: the lock makes them take turns;
    // a service's own role leaves the table to its owner (the launcher provisions it)
    ready ??= (async () => {
      if (await keepsSchemaOf(pool, 'service_instances'))
        await ensureSchema(pool, advisoryLocks.registry, [REGISTRY_DDL])
    })().catch((err) => {
      ready = undefined
      throw err
    })
    return ready
  }

  const beat = async (): Promise<undefined> => {
    if (!self) return
    await pool.query(
      `insert into service_instances (instance_id, service, host, grpc_port, http_port, public_port, pid)
       values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (instance_id) do update set host = excluded.host, grpc_port = excluded.grpc_port,
         http_port = excluded.http_port, public_port = excluded.public_port, pid = excluded.pid, last_seen = now()`,
      [self.instanceId, self.service, self.host, self.grpcPort, self.httpPort, self.publicPort, self.pid],
    )
  }

  const fetchTargets = async (service: string) => {
    await ensureTable()
    const instances = await listInstances(pool, service)
    return instances.filter((i) => i.grpcPort).map((i) => `${i.host}:${i.grpcPort}`)
  }

  return {
    resolve(service) {
      const hit = cache.get(service)
      if (hit && Date.now() - hit.at < CACHE_MS) return hit.targets
      const targets = fetchTargets(service)
      // keep serving the previous answer if the registry hiccups
      const guarded = hit ? targets.catch(() => hit.targets) : targets
      cache.set(service, { at: Date.now(), targets: guarded })
      guarded.catch(() => cache.delete(service))
      return guarded
    },
    invalidate: (service) => void cache.delete(service),
    async register(instance) {
      self = instance
      await ensureTable()
      await beat()
      heartbeat = startTimer({ name: 'registry-heartbeat', intervalMs: HEARTBEAT_MS, run: beat }, log)
    },
    async deregister() {
      await heartbeat?.stop()
      if (self) await pool.query('delete from service_instances where instance_id = $1', [self.instanceId])
      self = undefined
    },
    async close() {
      await heartbeat?.stop()
      await shared.release()
    },
  }
}

/**
 * Discovery by DNS, as in Kubernetes: `catalog` resolves to `dns:///catalog:50051`
 * (or `CATALOG_GRPC_ADDR`), and gRPC balances across the addresses the name returns.
 */
export function createDnsDiscovery(env: Record<string, string | undefined> = process.env): Discovery {
  return {
    async resolve(service) {
      const override = env[`${service.toUpperCase().replaceAll('-', '_')}_GRPC_ADDR`]
      return [override ?? `dns:///${service}:50051`]
    },
    invalidate: () => undefined,
    register: async () => undefined,
    deregister: async () => undefined,
    close: async () => undefined,
  }
}
