import type { Clock, RunningService, ServiceStarter } from '@microshop/chassis'
import { secureBus, secureRegistry } from '@microshop/chassis/internal'
import pg from 'pg'
import { createTestDatabase, type TestDatabase } from './db.js'
import { createServiceRole } from './roles.js'
import { testTlsEnv } from './tls.js'

export type ServiceName =
  | 'catalog'
  | 'identity'
  | 'cart'
  | 'inventory'
  | 'orders'
  | 'payments'
  | 'fraud'
  | 'shipping'
  | 'notifications'
  | 'gateway'
// each service's composition root, loaded only when a stack asks for it
const starters: Record<ServiceName, () => Promise<ServiceStarter>> = {
  catalog: async () => (await import('../services/catalog/src/main.js')).startCatalog,
  identity: async () => (await import('../services/identity/src/main.js')).startIdentity,
  cart: async () => (await import('../services/cart/src/main.js')).startCart,
  inventory: async () => (await import('../services/inventory/src/main.js')).startInventory,
  orders: async () => (await import('../services/orders/src/main.js')).startOrders,
  payments: async () => (await import('../services/payments/src/main.js')).startPayments,
  fraud: async () => (await import('../services/fraud/src/main.js')).startFraud,
  shipping: async () => (await import('../services/shipping/src/main.js')).startShipping,
  notifications: async () => (await import('../services/notifications/src/main.js')).startNotifications,
  gateway: async () => (await import('../services/gateway/src/main.js')).startGateway,
}

const WITH_DATABASE: ServiceName[] = [
  'catalog',
  'identity',
  'cart',
  'inventory',
  'orders',
  'payments',
  'fraud',
  'shipping',
  'notifications',
]

const FIRST: ServiceName[] = ['catalog', 'identity']

export interface Stack {
  /** The gateway's base URL, e.g. http://127.0.0.1:40123 */
  base: string
  services: Partial<Record<ServiceName, RunningService>>
  databases: Partial<Record<ServiceName | 'platform' | 'bus', TestDatabase>>
  /** Starts (again) one service of the stack with its settings. */
  start(name: ServiceName, extraEnv?: Record<string, string>): Promise<RunningService>
  stop(name: ServiceName): Promise<void>
  close(): Promise<void>
}

async function withPool(url: string, fn: (pool: pg.Pool) => Promise<void>) {
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  try {
    await fn(pool)
  } finally {
    await pool.end()
  }
}

/**
 * Real services, in-process, each with its own database on the test run's embedded PostgreSQL,
 * finding each other through a real registry and sharing one event log: the whole request path, minus
 * process boundaries. A service given a clock (`manualClock().now`) runs on it, for tests that move past a TTL.
 */
export async function startStack(
  names: ServiceName[],
  env: Partial<Record<ServiceName, Record<string, string>>> = {},
  opts: {
    clocks?: Partial<Record<ServiceName, Clock>>
    /** Mutual TLS and the call policy, as launched; plaintext (GRPC_INSECURE) otherwise. */
    tls?: boolean
  } = {},
): Promise<Stack> {
  const databases: Stack['databases'] = {}
  await Promise.all(
    [...names.filter((n) => WITH_DATABASE.includes(n)), 'platform' as const, 'bus' as const].map(
      async (name) => {
        databases[name] = await createTestDatabase(`stack_${name}`)
      },
    ),
  )
  // as launched: each service logs in to the registry and the bus as a role of its own, with its share of them
  const platform = databases.platform!
  const bus = databases.bus!
  const roles = new Map(
    await Promise.all(names.map(async (n) => [n, await createServiceRole(n, [platform, bus])] as const)),
  )
  await withPool(platform.url, (pool) => secureRegistry(pool, [...roles.values()]))
  await withPool(bus.url, (pool) => secureBus(pool, [...roles.values()]))
  const services: Stack['services'] = {}

  const start = async (name: ServiceName, extraEnv: Record<string, string> = {}) => {
    const starter = await starters[name]()
    const running = await starter(
      {
        REGISTRY_URL: roles.get(name)?.urlOf(platform) ?? platform.url,
        BUS_URL: roles.get(name)?.urlOf(bus) ?? bus.url,
        HOST: '127.0.0.1',
        GRPC_PORT: '0',
        HTTP_PORT: '0',
        PORT: '0',
        LOG_LEVEL: 'silent',
        // mTLS with the test CA, each service its own certificate, when the stack is asked for it
        ...(opts.tls ? await testTlsEnv(name) : { GRPC_INSECURE: 'true' }),
        // as the launcher runs them: identity's admin may have the README's local password
        MICROSHOP_LOCAL: '1',
        ...(databases[name] ? { DATABASE_URL: databases[name].url } : {}),
        ...env[name],
        ...extraEnv,
      },
      { handleSignals: false, clock: opts.clocks?.[name] },
    )
    services[name] = running
    return running
  }
  const stop = async (name: ServiceName) => {
    await services[name]?.stop()
    delete services[name]
  }

  // in waves, as a launcher would: what others read at start (the catalog's products for the stock,
  // identity's keys) first, then the rest side by side, the edge last
  const waves: ServiceName[][] = [
    FIRST,
    names.filter((n) => !FIRST.includes(n) && n !== 'gateway'),
    ['gateway'],
  ]
  for (const wave of waves) await Promise.all(wave.filter((n) => names.includes(n)).map((n) => start(n)))

  return {
    get base() {
      return `http://127.0.0.1:${services.gateway?.publicPort}`
    },
    services,
    databases,
    start,
    stop,
    async close() {
      await stop('gateway')
      await Promise.all(names.map((name) => stop(name)))
      await Promise.all(Object.values(databases).map((db) => db.drop()))
    },
  }
}
