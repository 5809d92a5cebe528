import { join } from 'node:path'
import { bindGrpc, packageDir, runAsMain, startService } from '@microshop/chassis'
import { protoRoot } from '@microshop/contracts'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { InventoryServiceService, protobufFileName } from '@microshop/contracts/inventory/v1/inventory'
import { createInventoryHandlers } from './api/grpc.js'
import { createLedger } from './app/ledger.js'
import { createCatalogDirectory } from './app/product-directory.js'
import { startExpirySweeper } from './app/reservation-expiry.js'
import { createReservations } from './app/reservations.js'
import { createStock } from './app/stock.js'
import { startStockSeeding } from './app/stock-seeding.js'
import { loadConfig } from './config.js'
import { subscribeInventoryConsumers } from './events/consumers.js'
import { createInventoryEmitter } from './events/inventory-events.js'
import { createReservationStore } from './store/reservation-store.js'
import { createStockStore } from './store/stock-store.js'

/** Composition root: config, stores, use cases, consumers, background work and handlers, handed to the chassis. */
export function startInventory(
  env: Record<string, string | undefined> = process.env,
  opts = { handleSignals: true },
) {
  const config = loadConfig(env)
  return startService({
    name: 'inventory',
    config,
    migrations: join(packageDir(import.meta.url), 'src/store/migrations'),
    handleSignals: opts.handleSignals,
    async setup({ db, bus, outbox, log, client, onStop }) {
      const stockStore = createStockStore(db!)
      const ledger = createLedger({ stock: stockStore, lowStockThreshold: config.lowStockThreshold })
      const emit = createInventoryEmitter(outbox!)
      const transaction = db!.tx.bind(db!)
      const products = createCatalogDirectory(client('catalog', CatalogServiceService, { deadlineMs: 5_000 }))
      const stock = createStock({ stock: stockStore, ledger, products, transaction, emit, log })
      const reservations = createReservations({
        stock: stockStore,
        reservations: createReservationStore(),
        ledger,
        transaction,
        emit,
        defaultTtlSeconds: config.reservationTtlSeconds,
        log,
      })
      if (bus)
        await subscribeInventoryConsumers({
          db: db!,
          bus,
          reservations,
          stock,
          concurrency: config.consumerConcurrency,
        })
      const sweeper = startExpirySweeper({ reservations, intervalMs: config.sweepIntervalMs, log })
      onStop(() => sweeper.stop())
      if (config.seed) {
        const seeding = startStockSeeding({ stock, products, retryMs: config.seedRetryMs, log })
        onStop(() => seeding.stop())
      }
      return {
        grpc: [bindGrpc(InventoryServiceService, createInventoryHandlers({ stock, reservations }))],
        proto: { root: protoRoot, files: [protobufFileName] },
      }
    },
  })
}

await runAsMain(import.meta.url, () => startInventory())
