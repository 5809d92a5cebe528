import { runAsMain, startService } from '@microshop/chassis'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { createGatewayApp } from './api/app.js'
import { createProductViews } from './app/products.js'
import { loadConfig } from './config.js'

/** Composition root: upstream clients, read views and the HTTP app, handed to the chassis. */
export function startGateway(
  env: Record<string, string | undefined> = process.env,
  opts = { handleSignals: true },
) {
  const config = loadConfig(env)
  return startService({
    name: 'gateway',
    config,
    handleSignals: opts.handleSignals,
    async setup({ client, log, metrics }) {
      const catalog = client('catalog', CatalogServiceService, { deadlineMs: config.upstreamDeadlineMs })
      const http = await createGatewayApp({
        log,
        metrics,
        views: createProductViews(catalog),
        publicDir: config.publicDir,
        bodyLimitBytes: config.bodyLimitBytes,
        requestTimeoutMs: config.upstreamDeadlineMs * 3,
      })
      return { http }
    },
  })
}

await runAsMain(import.meta.url, () => startGateway())
