import { bindGrpc, defineService, emitterOf, runAsMain } from '@microshop/chassis'
import { jwksOf, protoFiles, protoRoot } from '@microshop/contracts'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { createCatalogHandlers } from './api/grpc.js'
import { createCatalog } from './app/catalog.js'
import { seedCatalog } from './app/seed.js'
import { loadConfig } from './config.js'
import { toContractEvents } from './events/catalog-events.js'
import { productStore } from './store/product-store.js'

/** Composition root: config, store, use cases and handlers, handed to the chassis. */
export const startCatalog = defineService({
  name: 'catalog',
  module: import.meta.url,
  config: loadConfig,
  database: true,
  events: true,
  // UpsertProduct is an admin's: the caller's token is checked with identity's keys
  peers: { identity: IdentityServiceService },
  accessTokens: ({ identity }) => jwksOf(identity),
  async setup({ config, db, events, log }) {
    if (config.seed) await seedCatalog(db, productStore, log)
    const catalog = createCatalog({
      db,
      store: productStore,
      maxPageSize: config.maxPageSize,
      emit: emitterOf(events, toContractEvents),
    })
    return {
      grpc: [bindGrpc(CatalogServiceService, createCatalogHandlers(catalog))],
      proto: { root: protoRoot, files: [protoFiles.catalog] },
    }
  },
})

await runAsMain(import.meta.url, startCatalog)
