import { bindGrpc, defineService, emitterOf, peer, runAsMain } from '@microshop/chassis'
import { jwksOf, protoRoot } from '@microshop/contracts'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { InventoryServiceService, protobufFileName } from '@microshop/contracts/inventory/v1/inventory'
import { createInventoryHandlers } from './api/grpc.js'
import { createLedger } from './app/ledger.js'
import { createCatalogDirectory } from './app/product-directory.js'
import { createReservationExpiry } from './app/reservation-expiry.js'
import { createReservations } from './app/reservations.js'
import { createStock } from './app/stock.js'
import { createStockSeeding } from './app/stock-seeding.js'
import { loadConfig } from './config.js'
import { consumeOrdersAndProducts } from './events/consumers.js'
import { toContractEvents } from './events/inventory-events.js'
import { reservationStore } from './store/reservation-store.js'
import { stockStore } from './store/stock-store.js'

/** Composition root: config, stores, use cases, consumers, background work and handlers, handed to the chassis. */
export const startInventory = defineService({
  name: 'inventory',
  module: import.meta.url,
  config: loadConfig,
  database: true,
  events: true,
  peers: {
    catalog: peer(CatalogServiceService, { deadlineMs: 5_000 }),
    identity: IdentityServiceService,
  },
  accessTokens: ({ identity }) => jwksOf(identity),
  async setup({ config, db, events, peers, log, metrics, every, readyAfter }) {
    const ledger = createLedger({ stock: stockStore, lowStockThreshold: config.lowStockThreshold })
    const emit = emitterOf(events, toContractEvents)
    const products = createCatalogDirectory(peers.catalog)
    const stock = createStock({ db, stock: stockStore, ledger, products, emit })
    const reservations = createReservations({
      db,
      stock: stockStore,
      reservations: reservationStore,
      ledger,
      emit,
      defaultTtlSeconds: config.reservationTtlSeconds,
      log,
    })
    await consumeOrdersAndProducts(events, { reservations, stock, concurrency: config.consumerConcurrency })
    every(createReservationExpiry({ reservations, intervalMs: config.sweepIntervalMs, log }))
    if (config.seed) {
      const seeding = every(
        createStockSeeding({ stock, products, retryMs: config.seedRetryMs, log, metrics }),
      )
      // an order right after start needs the opening stock: not ready before it is there
      readyAfter(seeding.finished)
    }
    return {
      grpc: [bindGrpc(InventoryServiceService, createInventoryHandlers({ stock, reservations }))],
      proto: { root: protoRoot, files: [protobufFileName] },
    }
  },
})

await runAsMain(import.meta.url, startInventory)
