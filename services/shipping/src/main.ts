import { join } from 'node:path'
import { bindGrpc, packageDir, runAsMain, startService } from '@microshop/chassis'
import { protoFiles, protoRoot } from '@microshop/contracts'
import { ShippingServiceService } from '@microshop/contracts/shipping/v1/shipping'
import { createShippingHandlers } from './api/grpc.js'
import { createCarrier } from './app/carrier.js'
import { createShipments } from './app/shipments.js'
import { loadConfig } from './config.js'
import { consumeOrderEvents } from './events/order-consumer.js'
import { createShipmentEvents } from './events/shipment-events.js'
import { createShipmentStore } from './store/shipment-store.js'

/** Composition root: config, store, use cases, the carrier and the order consumer, handed to the chassis. */
export function startShipping(
  env: Record<string, string | undefined> = process.env,
  opts = { handleSignals: true },
) {
  const config = loadConfig(env)
  return startService({
    name: 'shipping',
    config,
    migrations: join(packageDir(import.meta.url), 'src/store/migrations'),
    handleSignals: opts.handleSignals,
    async setup({ db, bus, outbox, log, onStop }) {
      const store = createShipmentStore(db!)
      const events = createShipmentEvents(outbox!)
      const shipments = createShipments({
        store,
        events,
        timing: {
          dispatchAfterMs: config.dispatchAfterMs,
          deliverAfterMs: config.deliverAfterMs,
          timeScale: config.timeScale,
        },
        log,
      })
      const carrier = createCarrier({ db: db!, store, events, tickMs: config.tickMs, log })
      carrier.start()
      onStop(carrier.stop)
      if (bus) await consumeOrderEvents({ db: db!, bus, shipments, log })
      else log.warn('BUS_URL not set: no order reaches shipping')
      return {
        grpc: [bindGrpc(ShippingServiceService, createShippingHandlers(shipments))],
        proto: { root: protoRoot, files: [protoFiles.shipping] },
      }
    },
  })
}

await runAsMain(import.meta.url, () => startShipping())
