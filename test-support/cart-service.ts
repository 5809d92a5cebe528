import { createServiceClient, type RunningService, type ServiceClient } from '@microshop/chassis'
import { CartServiceService } from '@microshop/contracts/cart/v1/cart'
import { startCart } from '../services/cart/src/main.js'
import { startTestCatalog, type TestCatalog } from './catalog.js'
import { createTestDatabase, type TestDatabase } from './db.js'
import { silentLogger, staticDiscovery } from './grpc.js'
import { startTestIdentity, type TestIdentity } from './identity-service.js'

export interface TestCart {
  service: RunningService
  /** `127.0.0.1:<grpcPort>` */
  target: string
  client: ServiceClient<typeof CartServiceService>
  stop(): Promise<void>
}

/** The real cart, in this process, on free loopback ports, with a real gRPC client pointed at it. */
export async function startTestCart(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<TestCart> {
  const service = await startCart(
    {
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      GRPC_PORT: '0',
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
      ...env,
    },
    { handleSignals: false },
  )
  const target = `127.0.0.1:${service.grpcPort}`
  const client = createServiceClient({
    service: 'cart',
    definition: CartServiceService,
    discovery: staticDiscovery([target]),
    log: silentLogger,
    deadlineMs: 10_000,
  })
  return {
    service,
    target,
    client,
    async stop() {
      client.close()
      await service.stop()
    },
  }
}

export interface CartWithCatalog {
  cart: TestCart
  catalog: TestCatalog
  cartDb: TestDatabase
  catalogDb: TestDatabase
  registry: TestDatabase
  /** The real identity service, when asked for: Register + Login give real access tokens the cart verifies. */
  identity: TestIdentity | undefined
  /** Starts a catalog again on the same database (after `catalog.stop()`), replacing `catalog`. */
  restartCatalog(): Promise<TestCatalog>
  stop(): Promise<void>
}

/**
 * A cart and the real catalog it prices from (and identity, when asked), each with its own database,
 * finding each other through a registry.
 */
export async function startCartWithCatalog(
  cartEnv: Record<string, string> = {},
  opts: { identity?: boolean } = {},
): Promise<CartWithCatalog> {
  const [cartDb, catalogDb, registry, identityDb] = await Promise.all([
    createTestDatabase('cart'),
    createTestDatabase('cart_catalog'),
    createTestDatabase('cart_registry'),
    opts.identity ? createTestDatabase('cart_identity') : undefined,
  ])
  const shared = { REGISTRY_URL: registry.url, SHUTDOWN_TIMEOUT_MS: '2000' }
  const startCatalog = () => startTestCatalog(catalogDb.url, shared)
  const [catalog, cart, identity] = await Promise.all([
    startCatalog(),
    startTestCart(cartDb.url, { ...shared, ...cartEnv }),
    // the cheapest hashing the policy allows: these tests sign in often
    identityDb &&
      startTestIdentity(identityDb.url, {
        ...shared,
        IDENTITY_ARGON2_MEMORY_KIB: '8192',
        IDENTITY_ARGON2_TIME_COST: '1',
      }),
  ])
  const running: CartWithCatalog = {
    cart,
    catalog,
    cartDb,
    catalogDb,
    registry,
    identity,
    async restartCatalog() {
      running.catalog = await startCatalog()
      return running.catalog
    },
    async stop() {
      await Promise.all([running.cart.stop(), running.catalog.stop(), identity?.stop()])
      await Promise.all([cartDb.drop(), catalogDb.drop(), registry.drop(), identityDb?.drop()])
    },
  }
  return running
}
