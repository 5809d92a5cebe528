import type { Logger } from '@microshop/chassis'
import { type Instance, listInstances } from '@microshop/chassis/registry'
import pg from 'pg'

/** The healthy instances of every service, as the registry knows them (each heartbeat within its TTL). */
export interface RegistryInstances {
  list(): Promise<Instance[]>
  close(): Promise<void>
}

export function createRegistryInstances(url: string, log: Logger): RegistryInstances {
  // one connection is plenty: Prometheus asks once a refresh interval (60 s by default)
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 3_000 })
  pool.on('error', (err) => log.warn({ err }, 'registry connection failed'))
  return {
    list: () => listInstances(pool),
    close: () => pool.end(),
  }
}
