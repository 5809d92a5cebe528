import { bindGrpc, defineService, emitterOf, runAsMain } from '@microshop/chassis'
import { jwksOf, protoFiles, protoRoot } from '@microshop/contracts'
import { CartServiceService } from '@microshop/contracts/cart/v1/cart'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { InventoryServiceService } from '@microshop/contracts/inventory/v1/inventory'
import { OrdersServiceService } from '@microshop/contracts/orders/v1/orders'
import { PaymentsServiceService } from '@microshop/contracts/payments/v1/payments'
import { ShippingServiceService } from '@microshop/contracts/shipping/v1/shipping'
import { createOrdersHandlers } from './api/grpc.js'
import { createCancelOrder } from './app/cancel-order.js'
import { createOrderMetrics } from './app/order-metrics.js'
import { createOrderStream } from './app/order-stream.js'
import { createPeers } from './app/peers.js'
import { createPlaceOrder } from './app/place-order.js'
import { createKeyPruner } from './app/prune-keys.js'
import { createQueries } from './app/queries.js'
import { createReactions } from './app/reactions.js'
import { loadConfig } from './config.js'
import { consumeSagaEvents } from './events/consumers.js'
import { toContractEvents } from './events/order-events.js'
import { idempotencyStore } from './store/idempotency-store.js'

export { rebuildReadModels } from './app/rebuild.js'

/** Composition root: config, stores, peers, use cases, the saga consumer and the handlers, handed to the chassis. */
export const startOrders = defineService({
  name: 'orders',
  module: import.meta.url,
  config: loadConfig,
  database: true,
  events: true,
  peers: {
    cart: CartServiceService,
    identity: IdentityServiceService,
    catalog: CatalogServiceService,
    shipping: ShippingServiceService,
    payments: PaymentsServiceService,
    inventory: InventoryServiceService,
  },
  accessTokens: ({ identity }) => jwksOf(identity),
  async setup({ config, db, events, peers, log, metrics, clock, every }) {
    const emit = createOrderMetrics(metrics)(emitterOf(events, toContractEvents))
    const stream = createOrderStream({ emit, log })
    const placeOrder = createPlaceOrder({
      db,
      emit,
      keys: idempotencyStore,
      peers: createPeers({ ...peers, quoteDeadlineMs: config.quoteDeadlineMs }),
      log,
      settings: {
        reservationTtlSeconds: config.reservationTtlSeconds,
        fallbackShipping: { amount: config.fallbackShippingCents, currency: 'USD' },
        inFlightSeconds: config.idempotencyInFlightSeconds,
        fingerprintKey: config.fingerprintKey,
        maxPendingOrders: config.maxPendingOrders,
        maxReservedUnits: config.maxReservedUnits,
      },
    })
    await consumeSagaEvents(events, {
      react: createReactions({ stream, log }),
      concurrency: config.consumerConcurrency,
    })
    every(
      createKeyPruner({
        db,
        keys: idempotencyStore,
        retentionSeconds: config.idempotencyRetentionHours * 3_600,
        intervalMs: config.pruneIntervalMs,
        log,
      }),
    )
    const handlers = createOrdersHandlers({
      placeOrder,
      cancelOrder: createCancelOrder({ db, stream }),
      queries: createQueries({ db, maxPageSize: config.maxPageSize, clock }),
    })
    return {
      grpc: [bindGrpc(OrdersServiceService, handlers)],
      proto: { root: protoRoot, files: [protoFiles.orders] },
    }
  },
})

await runAsMain(import.meta.url, startOrders)
