import { bindGrpc, defineService, emitterOf, runAsMain } from '@microshop/chassis'
import { jwksOf, protoFiles, protoRoot } from '@microshop/contracts'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { ShippingServiceService } from '@microshop/contracts/shipping/v1/shipping'
import { createShippingHandlers } from './api/grpc.js'
import { createCarrier } from './app/carrier.js'
import { createShipments } from './app/shipments.js'
import { loadConfig } from './config.js'
import { consumeOrders } from './events/consumers.js'
import { toContractEvents } from './events/shipment-events.js'
import { shipmentStore } from './store/shipment-store.js'

/** Composition root: config, store, use cases, the carrier and the order consumer, handed to the chassis. */
export const startShipping = defineService({
  name: 'shipping',
  module: import.meta.url,
  config: loadConfig,
  database: true,
  events: true,
  peers: { identity: IdentityServiceService },
  accessTokens: ({ identity }) => jwksOf(identity),
  async setup({ config, db, events, log, clock, every, telemetry }) {
    const emit = emitterOf(events, toContractEvents)
    const shipments = createShipments({
      db,
      store: shipmentStore,
      emit,
      timing: {
        dispatchAfterMs: config.dispatchAfterMs,
        deliverAfterMs: config.deliverAfterMs,
        timeScale: config.timeScale,
      },
      log,
      clock,
    })
    every(createCarrier({ db, store: shipmentStore, emit, tickMs: config.tickMs, log, clock, telemetry }))
    await consumeOrders(events, { shipments, log, clock })
    return {
      grpc: [bindGrpc(ShippingServiceService, createShippingHandlers(shipments))],
      proto: { root: protoRoot, files: [protoFiles.shipping] },
    }
  },
})

await runAsMain(import.meta.url, startShipping)
