import { runAsMain, startService } from '@microshop/chassis'
import { eventTypes } from '@microshop/contracts'
import { CartServiceService } from '@microshop/contracts/cart/v1/cart'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { createGatewayApp } from './api/app.js'
import { createAccounts } from './app/accounts.js'
import { createAdminCatalog } from './app/admin.js'
import { createCarts } from './app/carts.js'
import { createProductViews } from './app/products.js'
import { loadConfig } from './config.js'
import { createResponseCache } from './domain/response-cache.js'

/** Composition root: upstream clients, views and the HTTP app, handed to the chassis. */
export function startGateway(
  env: Record<string, string | undefined> = process.env,
  opts = { handleSignals: true },
) {
  const config = loadConfig(env)
  return startService({
    name: 'gateway',
    config,
    handleSignals: opts.handleSignals,
    async setup({ client, log, metrics, verifier, bus }) {
      const deadline = { deadlineMs: config.upstreamDeadlineMs }
      const catalog = client('catalog', CatalogServiceService, deadline)
      const identity = client('identity', IdentityServiceService, deadline)
      const cart = client('cart', CartServiceService, deadline)
      const cache = createResponseCache({
        ttlMs: config.cacheTtlMs,
        staleMs: config.cacheStaleMs,
        maxEntries: config.cacheMaxEntries,
      })
      // every replica drops its own cache, so each listens in a group of its own
      await bus?.subscribe(
        `gateway-cache-${config.instanceId.toLowerCase().replace(/[^a-z0-9_-]+/g, '-')}`.slice(0, 63),
        [eventTypes.catalog.productUpdated, eventTypes.catalog.priceChanged],
        async () => cache.clear(),
        { transient: true },
      )
      const http = await createGatewayApp({
        log,
        metrics,
        verifier,
        views: createProductViews(catalog),
        accounts: createAccounts({ identity, cart, log }),
        carts: createCarts(cart),
        admin: createAdminCatalog(catalog),
        cache: { cache, ttlMs: config.cacheTtlMs, staleMs: config.cacheStaleMs },
        rateLimits: {
          windowMs: config.rateWindowMs,
          anonymous: config.rateAnonymous,
          user: config.rateUser,
          login: config.rateLogin,
          loginLockoutMs: config.loginLockoutMs,
        },
        corsOrigins: config.corsOrigins,
        publicDir: config.publicDir,
        bodyLimitBytes: config.bodyLimitBytes,
        requestTimeoutMs: config.upstreamDeadlineMs * 3,
      })
      return { http }
    },
  })
}

await runAsMain(import.meta.url, () => startGateway())
