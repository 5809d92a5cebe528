import { join } from 'node:path'
import { bindGrpc, packageDir, runAsMain, startService } from '@microshop/chassis'
import { protoFiles, protoRoot } from '@microshop/contracts'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { createCatalogHandlers } from './api/grpc.js'
import { createCatalog } from './app/catalog.js'
import { seedCatalog } from './app/seed.js'
import { loadConfig } from './config.js'
import { createCatalogEmitter } from './events/catalog-events.js'
import { createProductStore } from './store/product-store.js'

/** Composition root: config, store, use cases and handlers, handed to the chassis. */
export function startCatalog(
  env: Record<string, string | undefined> = process.env,
  opts = { handleSignals: true },
) {
  const config = loadConfig(env)
  return startService({
    name: 'catalog',
    config,
    migrations: join(packageDir(import.meta.url), 'src/store/migrations'),
    handleSignals: opts.handleSignals,
    async setup({ db, outbox, log }) {
      const store = createProductStore(db!)
      if (config.seed) await seedCatalog(store, log)
      const catalog = createCatalog({
        store,
        maxPageSize: config.maxPageSize,
        transaction: (fn) => db!.tx(fn),
        emit: createCatalogEmitter(outbox!),
      })
      return {
        grpc: [bindGrpc(CatalogServiceService, createCatalogHandlers(catalog))],
        proto: { root: protoRoot, files: [protoFiles.catalog] },
      }
    },
  })
}

await runAsMain(import.meta.url, () => startCatalog())
