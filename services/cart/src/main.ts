import { bindGrpc, defineService, runAsMain } from '@microshop/chassis'
import { jwksOf, protoRoot } from '@microshop/contracts'
import { CartServiceService, protobufFileName } from '@microshop/contracts/cart/v1/cart'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { createCartHandlers } from './api/grpc.js'
import { createCartApp } from './app/cart-app.js'
import { createClearOrderedLines } from './app/clear-cart.js'
import { createCatalogLookup } from './app/product-lookup.js'
import { createCartPruner } from './app/prune-carts.js'
import { loadConfig } from './config.js'
import { consumeOrders } from './events/consumers.js'
import { createCartStore } from './store/cart-store.js'

/** Composition root: config, store, catalog client, use cases, consumer and handlers, handed to the chassis. */
export const startCart = defineService({
  name: 'cart',
  module: import.meta.url,
  config: loadConfig,
  database: true,
  events: true,
  peers: { catalog: CatalogServiceService, identity: IdentityServiceService },
  accessTokens: ({ identity }) => jwksOf(identity),
  async setup({ config, db, events, peers, every }) {
    const store = createCartStore({ anonymousTtlDays: config.anonymousTtlDays })
    const products = createCatalogLookup(peers.catalog)
    every(createCartPruner({ db, store, intervalMs: config.pruneIntervalMs }))
    await consumeOrders(events, { clearOrderedLines: createClearOrderedLines({ store }) })
    return {
      grpc: [
        bindGrpc(
          CartServiceService,
          createCartHandlers(createCartApp({ db, store, products, limits: config })),
        ),
      ],
      proto: { root: protoRoot, files: [protobufFileName] },
    }
  },
})

await runAsMain(import.meta.url, startCart)
