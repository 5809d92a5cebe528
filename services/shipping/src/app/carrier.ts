import type { Clock, Db, Emit, Logger, Telemetry, TimerSpec } from '@microshop/chassis'
import { moveParcels } from '../domain/parcel-steps.js'
import { nextStepAt } from '../domain/shipment.js'
import type { ShipmentEvent } from '../domain/shipment-events.js'
import type { ShipmentStore } from '../store/shipment-store.js'

const BATCH = 50

/**
 * The simulated carrier: every tick it moves the parcels that are due to DISPATCHED, then DELIVERED,
 * a batch of orders per transaction with their events, batch after batch while any moved. The plan lives
 * in the rows, so a restart resumes it; replicas share the work an order at a time (`lockDueOrders`).
 * Each order's step continues the trace its shipments were created in: its events, and what they cause
 * (the order SHIPPED, the email), join the order's trace. A tick that moved nothing leaves no trace.
 */
export const createCarrier = (deps: {
  db: Db
  store: ShipmentStore
  emit: Emit<ShipmentEvent>
  tickMs: number
  log: Logger
  clock: Clock
  telemetry: Telemetry
}): TimerSpec => ({
  name: 'carrier',
  intervalMs: deps.tickMs,
  runAtStart: true,
  async run() {
    const { store, clock } = deps
    const moved = await deps.db.tx(async (tx) => {
      const now = clock()
      let moved = 0
      for (const due of await store.lockDueOrders(tx, now, BATCH)) {
        const step = moveParcels(due.parcels, now)
        if (step.moved.length === 0) continue
        await deps.telemetry.span(
          'carrier step',
          {
            parent: due.traceparent,
            attributes: {
              'order.id': due.parcels[0]?.orderId ?? '',
              'shipping.parcels_moved': step.moved.length,
            },
          },
          async () => {
            for (const parcel of step.moved) await store.saveProgress(tx, parcel, nextStepAt(parcel))
            await deps.emit(tx, step.events)
          },
        )
        moved += step.moved.length
      }
      return moved
    })
    if (moved > 0) deps.log.debug({ moved }, 'carrier moved shipments')
    return moved > 0 ? 'again' : 'idle'
  },
})
