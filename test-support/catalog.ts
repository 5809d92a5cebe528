import type { CallOptions } from '@microshop/chassis'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { startCatalog } from '../services/catalog/src/main.js'
import { createTestDatabase } from './db.js'
import { startTestIdentity, type TestIdentity } from './identity-service.js'
import { type InProcessService, startInProcess } from './in-process.js'

export type TestCatalog = InProcessService<typeof CatalogServiceService> & {
  /** Call options acting as the admin: a real access token from the identity the catalog trusts. */
  admin: CallOptions | undefined
  /** The identity whose tokens the catalog trusts (register and log in users with it). */
  identity: TestIdentity | undefined
}

const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }

/**
 * The real catalog, in this process, on free loopback ports, with a real gRPC client pointed at it. Its
 * admin RPC (UpsertProduct) needs an admin's token, so it comes with an identity: the one given (in the same
 * registry), or, without a REGISTRY_URL, one of its own in a registry of its own. The client sends
 * UpsertProduct as the admin, as the gateway forwards an admin's token, unless a call names its own
 * `authorization`; with a REGISTRY_URL and no identity there is no admin (`admin` undefined).
 */
export async function startTestCatalog(
  databaseUrl: string,
  env: Record<string, string> = {},
  opts: { identity?: TestIdentity } = {},
): Promise<TestCatalog> {
  let identity = opts.identity
  let own: { stop(): Promise<void> } | undefined
  let registryUrl = env.REGISTRY_URL
  if (!identity && !registryUrl) {
    const [registry, identityDb] = await Promise.all([
      createTestDatabase('catalog_registry'),
      createTestDatabase('catalog_identity'),
    ])
    registryUrl = registry.url
    identity = await startTestIdentity(identityDb.url, {
      REGISTRY_URL: registry.url,
      IDENTITY_ARGON2_MEMORY_KIB: '8192',
      IDENTITY_ARGON2_TIME_COST: '1',
    })
    const started = identity
    own = {
      async stop() {
        await started.stop()
        await Promise.all([registry.drop(), identityDb.drop()])
      },
    }
  }
  let running: InProcessService<typeof CatalogServiceService>
  try {
    running = await startInProcess('catalog', startCatalog, CatalogServiceService, databaseUrl, {
      ...(registryUrl ? { REGISTRY_URL: registryUrl } : {}),
      ...env,
    })
  } catch (err) {
    await own?.stop()
    throw err
  }
  let admin: CallOptions | undefined
  if (identity) {
    const { tokens } = await identity.client.call('login', ADMIN)
    admin = { authorization: `Bearer ${tokens?.accessToken}` }
  }
  const raw = running.client
  const client: typeof raw = {
    call: (method, request, callOpts) =>
      raw.call(method, request, method === 'upsertProduct' && admin ? { ...admin, ...callOpts } : callOpts),
    breakerState: () => raw.breakerState(),
    close: () => raw.close(),
  }
  return {
    ...running,
    client,
    admin,
    identity,
    async stop() {
      await running.stop()
      await own?.stop()
    },
  }
}
