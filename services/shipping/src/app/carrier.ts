import type { Db, Logger } from '@microshop/chassis'
import { nextCarrierStep, nextStepAt, type Shipment } from '../domain/shipment.js'
import type { ShipmentStore } from '../store/shipment-store.js'
import type { ShipmentEvents } from './shipments.js'

const BATCH = 50

/**
 * The simulated carrier: every tick it moves the shipments that are due to DISPATCHED, then DELIVERED.
 * The plan lives in the rows, so a restart resumes it; `skip locked` lets replicas share the work.
 */
export function createCarrier(deps: {
  db: Db
  store: ShipmentStore
  events: ShipmentEvents
  tickMs: number
  log: Logger
  clock?: () => Date
}) {
  const { db, store, events, log } = deps
  const clock = deps.clock ?? (() => new Date())
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let stopped = false

  /** One batch of due steps in one transaction with their events; the number of shipments moved. */
  const advanceBatch = () =>
    db.tx(async (tx) => {
      const now = clock()
      const moved: Shipment[] = []
      for (const shipment of await store.lockDue(tx, now, BATCH)) {
        const step = nextCarrierStep(shipment, now)
        if (!step) continue
        const next: Shipment =
          step === 'dispatch'
            ? { ...shipment, status: 'dispatched', dispatchedAt: now }
            : { ...shipment, status: 'delivered', deliveredAt: now }
        await store.saveProgress(tx, next, nextStepAt(next))
        moved.push(next)
      }
      await events.progressed(tx, moved)
      return moved.length
    })

  const advanceAll = async () => {
    let moved: number
    do {
      moved = await advanceBatch()
      if (moved > 0) log.debug({ moved }, 'carrier moved shipments')
    } while (moved > 0 && !stopped)
  }

  const tick = () => {
    running = advanceAll()
      .catch((err) => log.warn({ err }, 'carrier step failed; retrying at the next tick'))
      .finally(() => {
        running = undefined
        if (!stopped) timer = setTimeout(tick, deps.tickMs).unref()
      })
  }

  return {
    start: tick,
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
