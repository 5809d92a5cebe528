import { join } from 'node:path'
import { bindGrpc, packageDir, runAsMain, startService } from '@microshop/chassis'
import { protoRoot } from '@microshop/contracts'
import { CartServiceService, protobufFileName } from '@microshop/contracts/cart/v1/cart'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { createCartHandlers } from './api/grpc.js'
import { createCartApp } from './app/cart-app.js'
import { createClearOrderedLines } from './app/clear-cart.js'
import { createCatalogLookup } from './app/product-lookup.js'
import { createCartPruner } from './app/prune-carts.js'
import { loadConfig } from './config.js'
import { consumeOrderCreated } from './events/order-created.js'
import { createCartStore } from './store/cart-store.js'

/** Composition root: config, store, catalog client, use cases and handlers, handed to the chassis. */
export function startCart(
  env: Record<string, string | undefined> = process.env,
  opts = { handleSignals: true },
) {
  const config = loadConfig(env)
  return startService({
    name: 'cart',
    config,
    migrations: join(packageDir(import.meta.url), 'src/store/migrations'),
    handleSignals: opts.handleSignals,
    async setup({ db, log, client, onStop, bus }) {
      const store = createCartStore(db!, { anonymousTtlDays: config.anonymousTtlDays })
      const products = createCatalogLookup(client('catalog', CatalogServiceService))
      const cart = createCartApp({ store, products, limits: config })
      const pruner = createCartPruner({ store, intervalMs: config.pruneIntervalMs, log })
      pruner.start()
      onStop(pruner.stop)
      if (bus)
        await consumeOrderCreated({
          bus,
          db: db!,
          log,
          clearOrderedLines: createClearOrderedLines({ store }),
        })
      return {
        grpc: [bindGrpc(CartServiceService, createCartHandlers(cart))],
        proto: { root: protoRoot, files: [protobufFileName] },
      }
    },
  })
}

await runAsMain(import.meta.url, () => startCart())
