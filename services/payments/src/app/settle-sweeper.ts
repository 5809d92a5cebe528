import type { Db, Logger, TimerSpec } from '@microshop/chassis'
import type { PaymentStore } from '../store/payment-store.js'

const BATCH = 50

/**
 * Finishes payments left PENDING by a crash or a consumer that gave up: every `intervalMs`, each pending
 * payment nobody holds and older than `graceMs` is taken through to its end.
 */
export const createSettleSweeper = (deps: {
  db: Db
  store: PaymentStore
  complete: (paymentId: string) => Promise<void>
  intervalMs: number
  graceMs: number
  log: Logger
}): TimerSpec => ({
  name: 'settle-sweeper',
  intervalMs: deps.intervalMs,
  async run(signal) {
    const unsettled = await deps.store.unsettled(deps.db, deps.graceMs, BATCH)
    if (unsettled.length === 0) return 'idle'
    for (const id of unsettled) {
      if (signal.aborted) return
      await deps
        .complete(id)
        .catch((err) => deps.log.warn({ err, paymentId: id }, 'could not settle a pending payment'))
    }
  },
})
