import { join } from 'node:path'
import { bindGrpc, packageDir, runAsMain, startService } from '@microshop/chassis'
import { protoFiles, protoRoot } from '@microshop/contracts'
import { CartServiceService } from '@microshop/contracts/cart/v1/cart'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { InventoryServiceService } from '@microshop/contracts/inventory/v1/inventory'
import { OrdersServiceService } from '@microshop/contracts/orders/v1/orders'
import { PaymentsServiceService } from '@microshop/contracts/payments/v1/payments'
import { ShippingServiceService } from '@microshop/contracts/shipping/v1/shipping'
import { createOrdersHandlers } from './api/grpc.js'
import { createCancelOrder } from './app/cancel-order.js'
import { createOrderStream } from './app/order-stream.js'
import { createPeers } from './app/peers.js'
import { createPlaceOrder } from './app/place-order.js'
import { createKeyPruner } from './app/prune-keys.js'
import { createQueries } from './app/queries.js'
import { createReactions } from './app/reactions.js'
import { loadConfig } from './config.js'
import { subscribeSaga } from './events/consumers.js'
import { createOrderEmitter } from './events/order-events.js'
import { createIdempotencyStore } from './store/idempotency-store.js'

export { rebuildReadModels } from './app/rebuild.js'

/** Composition root: config, stores, peers, use cases, the saga consumer and the handlers, handed to the chassis. */
export function startOrders(
  env: Record<string, string | undefined> = process.env,
  opts = { handleSignals: true },
) {
  const config = loadConfig(env)
  return startService({
    name: 'orders',
    config,
    migrations: join(packageDir(import.meta.url), 'src/store/migrations'),
    handleSignals: opts.handleSignals,
    async setup({ db, bus, outbox, log, client, onStop }) {
      const keys = createIdempotencyStore(db!)
      const emit = createOrderEmitter(outbox!)
      const stream = createOrderStream({ emit })
      const peers = createPeers({
        cart: client('cart', CartServiceService),
        identity: client('identity', IdentityServiceService),
        catalog: client('catalog', CatalogServiceService),
        shipping: client('shipping', ShippingServiceService),
        payments: client('payments', PaymentsServiceService),
        inventory: client('inventory', InventoryServiceService),
        quoteDeadlineMs: config.quoteDeadlineMs,
      })
      const placeOrder = createPlaceOrder({
        db: db!,
        emit,
        keys,
        peers,
        log,
        settings: {
          reservationTtlSeconds: config.reservationTtlSeconds,
          fallbackShipping: { amount: config.fallbackShippingCents, currency: 'USD' },
          inFlightSeconds: config.idempotencyInFlightSeconds,
        },
      })
      const react = createReactions({ stream, log })
      if (bus) await subscribeSaga({ bus, db: db!, react, concurrency: config.consumerConcurrency })
      else log.warn('no BUS_URL: orders will not react to payments, reservations or shipments')
      const pruner = createKeyPruner({
        keys,
        retentionSeconds: config.idempotencyRetentionHours * 3_600,
        intervalMs: config.pruneIntervalMs,
        log,
      })
      pruner.start()
      onStop(pruner.stop)
      const handlers = createOrdersHandlers({
        placeOrder,
        cancelOrder: createCancelOrder({ db: db!, stream }),
        queries: createQueries({ db: db!, maxPageSize: config.maxPageSize }),
      })
      return {
        grpc: [bindGrpc(OrdersServiceService, handlers)],
        proto: { root: protoRoot, files: [protoFiles.orders] },
      }
    },
  })
}

await runAsMain(import.meta.url, () => startOrders())
