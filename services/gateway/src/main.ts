import { defineService, peer, runAsMain } from '@microshop/chassis'
import { jwksOf } from '@microshop/contracts'
import { CartServiceService } from '@microshop/contracts/cart/v1/cart'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { InventoryServiceService } from '@microshop/contracts/inventory/v1/inventory'
import { NotificationsServiceService } from '@microshop/contracts/notifications/v1/notifications'
import { OrdersServiceService } from '@microshop/contracts/orders/v1/orders'
import { PaymentsServiceService } from '@microshop/contracts/payments/v1/payments'
import { ShippingServiceService } from '@microshop/contracts/shipping/v1/shipping'
import { createGatewayApp } from './api/app.js'
import { createAccounts } from './app/accounts.js'
import { createAdminCatalog } from './app/admin.js'
import { createCardTokens } from './app/card-tokens.js'
import { createCarts } from './app/carts.js'
import { createMessages } from './app/messages.js'
import { createOrderStreams } from './app/order-streams.js'
import { createOrders } from './app/orders.js'
import { createProductViews } from './app/products.js'
import { createShippingQuotes } from './app/shipping-quotes.js'
import { createStockAndSales } from './app/stock-and-sales.js'
import { type GatewayConfig, loadConfig } from './config.js'
import { createResponseCache } from './domain/response-cache.js'
import { consumeCatalogChanges, consumeOrderStatusChanges } from './events/consumers.js'

// clients connect on their first call: a gateway starts whichever services are up
const upstreams = (config: GatewayConfig) => {
  const deadline = { deadlineMs: config.upstreamDeadlineMs }
  return {
    catalog: peer(CatalogServiceService, deadline),
    identity: peer(IdentityServiceService, deadline),
    cart: peer(CartServiceService, deadline),
    inventory: peer(InventoryServiceService, deadline),
    orders: peer(OrdersServiceService, deadline),
    payments: peer(PaymentsServiceService, deadline),
    shipping: peer(ShippingServiceService, deadline),
    notifications: peer(NotificationsServiceService, deadline),
  }
}

/** Composition root: upstream clients, views, the bus consumers and the HTTP app, handed to the chassis. */
export const startGateway = defineService({
  name: 'gateway',
  module: import.meta.url,
  config: loadConfig,
  events: true,
  peers: upstreams,
  accessTokens: ({ identity }) => jwksOf(identity),
  async setup({ config, log, metrics, telemetry, verifier, peers, events }) {
    const orderStreams = createOrderStreams()
    const cache = createResponseCache({
      ttlMs: config.cacheTtlMs,
      staleMs: config.cacheStaleMs,
      maxEntries: config.cacheMaxEntries,
    })
    await consumeCatalogChanges(events, { cache, instanceId: config.instanceId })
    await consumeOrderStatusChanges(events, { streams: orderStreams, instanceId: config.instanceId })
    const { catalog, identity, cart, inventory, orders, payments, shipping, notifications } = peers
    const http = await createGatewayApp({
      log,
      metrics,
      telemetry,
      verifier,
      views: createProductViews(catalog, { client: inventory, deadlineMs: config.partDeadlineMs }),
      accounts: createAccounts({ identity, cart, log }),
      carts: createCarts(cart),
      admin: createAdminCatalog(catalog),
      orders: createOrders({ orders, payments, shipping, partDeadlineMs: config.partDeadlineMs }),
      cardTokens: createCardTokens(payments),
      shippingQuotes: createShippingQuotes({ cart, catalog, shipping }),
      orderStreams,
      messages: createMessages(notifications),
      stockAndSales: createStockAndSales({ inventory, orders }),
      sseHeartbeatMs: config.sseHeartbeatMs,
      sseLimits: { perUser: config.sseMaxPerUser, total: config.sseMaxTotal },
      trustProxy: config.trustProxy,
      cache: { cache, ttlMs: config.cacheTtlMs, staleMs: config.cacheStaleMs },
      rateLimits: {
        windowMs: config.rateWindowMs,
        anonymous: config.rateAnonymous,
        user: config.rateUser,
        login: config.rateLogin,
        loginLockoutMs: config.loginLockoutMs,
      },
      admission: { api: config.admitApi, orders: config.admitOrders, auth: config.admitAuth },
      corsOrigins: config.corsOrigins,
      publicDir: config.publicDir,
      storefrontDir: config.storefrontDir,
      bodyLimitBytes: config.bodyLimitBytes,
      requestTimeoutMs: config.upstreamDeadlineMs * 3,
    })
    return { http }
  },
})

await runAsMain(import.meta.url, startGateway)
