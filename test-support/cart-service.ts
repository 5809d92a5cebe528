import { CartServiceService } from '@microshop/contracts/cart/v1/cart'
import { startCart } from '../services/cart/src/main.js'
import { startTestCatalog, type TestCatalog } from './catalog.js'
import { createTestDatabase, type TestDatabase } from './db.js'
import { startTestIdentity, type TestIdentity } from './identity-service.js'
import { type InProcessService, startInProcess } from './in-process.js'

export type TestCart = InProcessService<typeof CartServiceService>

/** The real cart, in this process, on free loopback ports, with a real gRPC client pointed at it. */
export const startTestCart = (databaseUrl: string, env: Record<string, string> = {}): Promise<TestCart> =>
  startInProcess('cart', startCart, CartServiceService, databaseUrl, env)

export interface CartWithCatalog {
  cart: TestCart
  catalog: TestCatalog
  cartDb: TestDatabase
  catalogDb: TestDatabase
  registry: TestDatabase
  /** The real identity service: Register + Login give real access tokens the cart and the catalog verify. */
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
  // identity runs always now (the catalog's admin RPC needs it); `{ identity: true }` is still accepted
  _opts: { identity?: boolean } = {},
): Promise<CartWithCatalog> {
  // identity always runs: the catalog's UpsertProduct (how tests make products) needs an admin's token
  const [cartDb, catalogDb, registry, identityDb] = await Promise.all([
    createTestDatabase('cart'),
    createTestDatabase('cart_catalog'),
    createTestDatabase('cart_registry'),
    createTestDatabase('cart_identity'),
  ])
  const shared = { REGISTRY_URL: registry.url, SHUTDOWN_TIMEOUT_MS: '2000' }
  // the cheapest hashing the policy allows: these tests sign in often
  const identity = await startTestIdentity(identityDb.url, {
    ...shared,
    IDENTITY_ARGON2_MEMORY_KIB: '8192',
    IDENTITY_ARGON2_TIME_COST: '1',
  })
  const startCatalog = () => startTestCatalog(catalogDb.url, shared, { identity })
  const [catalog, cart] = await Promise.all([
    startCatalog(),
    startTestCart(cartDb.url, { ...shared, ...cartEnv }),
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
      await Promise.all([running.cart.stop(), running.catalog.stop(), identity.stop()])
      await Promise.all([cartDb.drop(), catalogDb.drop(), registry.drop(), identityDb.drop()])
    },
  }
  return running
}
