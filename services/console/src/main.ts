import { defineService, runAsMain } from '@microshop/chassis'
import { createConsoleApp } from './api/app.js'
import { createLogFeed } from './app/log-feed.js'
import { createPrometheusTargets } from './app/prometheus-targets.js'
import { createTelemetryQueries } from './app/query-telemetry.js'
import { createReceiver } from './app/receive-telemetry.js'
import { loadConfig } from './config.js'
import { createRegistryInstances } from './store/registry-instances.js'
import { createTelemetryStore } from './store/telemetry-store.js'

/** Composition root: the bounded store, the OTLP receiver, the queries, service discovery and the HTTP app. */
export const startConsole = defineService({
  name: 'console',
  module: import.meta.url,
  config: loadConfig,
  async setup({ config, log, metrics, telemetry, onStop }) {
    const store = createTelemetryStore({
      maxBytes: config.maxBytes,
      maxSpansPerTrace: config.maxSpansPerTrace,
    })
    const feed = createLogFeed()
    const registry = createRegistryInstances(config.registryUrl, log)
    onStop(() => registry.close())
    const http = await createConsoleApp({
      log,
      metrics,
      telemetry,
      receiver: createReceiver({ store, feed, metrics }),
      queries: createTelemetryQueries({ store, feed }),
      targets: createPrometheusTargets({ registry }),
      bodyLimitBytes: config.maxBodyBytes,
      sseHeartbeatMs: config.sseHeartbeatMs,
    })
    return { http }
  },
})

await runAsMain(import.meta.url, startConsole)
