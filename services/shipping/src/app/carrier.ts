import type { Clock, Db, Emit, Logger, TimerSpec } from '@microshop/chassis'
import { nextCarrierStep, nextStepAt, type Shipment } from '../domain/shipment.js'
import type { ShipmentEvent } from '../domain/shipment-events.js'
import type { ShipmentStore } from '../store/shipment-store.js'

const BATCH = 50

/**
 * The simulated carrier: every tick it moves the shipments that are due to DISPATCHED, then DELIVERED,
 * a batch per transaction with its events, batch after batch while any moved. The plan lives in the
 * rows, so a restart resumes it; `skip locked` lets replicas share the work.
 */
export const createCarrier = (deps: {
  db: Db
  store: ShipmentStore
  emit: Emit<ShipmentEvent>
  tickMs: number
  log: Logger
  clock: Clock
}): TimerSpec => ({
  name: 'carrier',
  intervalMs: deps.tickMs,
  runAtStart: true,
  async run() {
    const { store, clock } = deps
    const moved = await deps.db.tx(async (tx) => {
      const now = clock()
      const events: ShipmentEvent[] = []
      for (const shipment of await store.lockDue(tx, now, BATCH)) {
        const step = nextCarrierStep(shipment, now)
        if (!step) continue
        const next: Shipment =
          step === 'dispatch'
            ? { ...shipment, status: 'dispatched', dispatchedAt: now }
            : { ...shipment, status: 'delivered', deliveredAt: now }
        await store.saveProgress(tx, next, nextStepAt(next))
        events.push({
          kind: step === 'dispatch' ? 'ShipmentDispatched' : 'ShipmentDelivered',
          shipment: next,
        })
      }
      await deps.emit(tx, events)
      return events.length
    })
    if (moved > 0) deps.log.debug({ moved }, 'carrier moved shipments')
    return moved > 0 ? 'again' : undefined
  },
})
