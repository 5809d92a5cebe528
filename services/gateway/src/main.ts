import { defineEvent, runAsMain, startService } from '@microshop/chassis'
import { eventTypes } from '@microshop/contracts'
import { CartServiceService } from '@microshop/contracts/cart/v1/cart'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { InventoryServiceService } from '@microshop/contracts/inventory/v1/inventory'
import { NotificationsServiceService } from '@microshop/contracts/notifications/v1/notifications'
import { OrderStatusChanged } from '@microshop/contracts/orders/v1/events'
import { OrdersServiceService } from '@microshop/contracts/orders/v1/orders'
import { PaymentsServiceService } from '@microshop/contracts/payments/v1/payments'
import { ShippingServiceService } from '@microshop/contracts/shipping/v1/shipping'
import { createGatewayApp } from './api/app.js'
import { createAccounts } from './app/accounts.js'
import { createAdminCatalog } from './app/admin.js'
import { createCarts } from './app/carts.js'
import { createMessages } from './app/messages.js'
import { createOrderStreams } from './app/order-streams.js'
import { createOrders, isKnownStatus, statusName } from './app/orders.js'
import { createProductViews } from './app/products.js'
import { createStockAndSales } from './app/stock-and-sales.js'
import { loadConfig } from './config.js'
import { createResponseCache } from './domain/response-cache.js'

const StatusChanged = defineEvent(eventTypes.orders.orderStatusChanged, OrderStatusChanged)

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
      // clients connect on their first call: a gateway starts whichever services are up
      const inventory = client('inventory', InventoryServiceService, deadline)
      const orders = client('orders', OrdersServiceService, deadline)
      const payments = client('payments', PaymentsServiceService, deadline)
      const shipping = client('shipping', ShippingServiceService, deadline)
      const notifications = client('notifications', NotificationsServiceService, deadline)
      const orderStreams = createOrderStreams()
      const cache = createResponseCache({
        ttlMs: config.cacheTtlMs,
        staleMs: config.cacheStaleMs,
        maxEntries: config.cacheMaxEntries,
      })
      // every replica drops its own cache, so each listens in a group of its own
      const instance = config.instanceId.toLowerCase().replace(/[^a-z0-9_-]+/g, '-')
      await bus?.subscribe(
        `gateway-cache-${instance}`.slice(0, 63),
        [eventTypes.catalog.productUpdated, eventTypes.catalog.priceChanged],
        async () => cache.clear(),
        { transient: true },
      )
      // each replica serves its own streams, so each hears every status change
      await bus?.subscribe(
        `gateway-orders-${instance}`.slice(0, 63),
        [StatusChanged],
        async (event) => {
          const change = StatusChanged.decode(event)
          if (!isKnownStatus(change.status)) return
          orderStreams.publish({
            orderId: change.orderId || event.subject,
            status: statusName(change.status),
            reason: change.reason,
            at: change.at || event.time,
            version: change.version,
          })
        },
        { transient: true },
      )
      const http = await createGatewayApp({
        log,
        metrics,
        verifier,
        views: createProductViews(catalog, { client: inventory, deadlineMs: config.partDeadlineMs }),
        accounts: createAccounts({ identity, cart, log }),
        carts: createCarts(cart),
        admin: createAdminCatalog(catalog),
        orders: createOrders({ orders, payments, shipping, partDeadlineMs: config.partDeadlineMs }),
        orderStreams,
        messages: createMessages(notifications),
        stockAndSales: createStockAndSales({ inventory, orders }),
        sseHeartbeatMs: config.sseHeartbeatMs,
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
