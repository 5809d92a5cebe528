import type { RunningService } from '@microshop/chassis'
import { createTestDatabase, type TestDatabase } from './db.js'

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
type Starter = (env: Record<string, string>, opts: { handleSignals: boolean }) => Promise<RunningService>

// each service's composition root, loaded only when a stack asks for it
const starters: Record<ServiceName, () => Promise<Starter>> = {
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

/**
 * Real services, in-process, each with its own database on the test run's embedded PostgreSQL,
 * finding each other through a real registry: the whole request path, minus process boundaries.
 */
export async function startStack(
  names: ServiceName[],
  env: Partial<Record<ServiceName, Record<string, string>>> = {},
): Promise<Stack> {
  const databases: Stack['databases'] = {
    platform: await createTestDatabase('stack_platform'),
    bus: await createTestDatabase('stack_bus'),
  }
  for (const name of names)
    if (WITH_DATABASE.includes(name)) databases[name] = await createTestDatabase(`stack_${name}`)
  const services: Stack['services'] = {}

  const start = async (name: ServiceName, extraEnv: Record<string, string> = {}) => {
    const starter = await starters[name]()
    const running = await starter(
      {
        REGISTRY_URL: databases.platform!.url,
        BUS_URL: databases.bus!.url,
        HOST: '127.0.0.1',
        GRPC_PORT: '0',
        HTTP_PORT: '0',
        PORT: '0',
        LOG_LEVEL: 'silent',
        ...(databases[name] ? { DATABASE_URL: databases[name].url } : {}),
        ...env[name],
        ...extraEnv,
      },
      { handleSignals: false },
    )
    services[name] = running
    return running
  }
  const stop = async (name: ServiceName) => {
    await services[name]?.stop()
    delete services[name]
  }

  for (const name of names.filter((n) => n !== 'gateway')) await start(name)
  if (names.includes('gateway')) await start('gateway')

  return {
    get base() {
      return `http://127.0.0.1:${services.gateway?.publicPort}`
    },
    services,
    databases,
    start,
    stop,
    async close() {
      for (const name of ['gateway', ...names] as ServiceName[]) await stop(name)
      for (const db of Object.values(databases)) await db.drop()
    },
  }
}
