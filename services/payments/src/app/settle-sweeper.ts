import type { Logger } from '@microshop/chassis'
import type { PaymentStore } from '../store/payment-store.js'

/**
 * Finishes payments left PENDING by a crash or a consumer that gave up: every `intervalMs`, each pending
 * payment nobody holds and older than `graceMs` is taken through to its end.
 */
export function startSettleSweeper(deps: {
  store: PaymentStore
  complete: (paymentId: string) => Promise<void>
  intervalMs: number
  graceMs: number
  log: Logger
}) {
  const { store, complete, intervalMs, graceMs, log } = deps
  let running: Promise<void> | undefined
  let stopped = false
  const sweep = async () => {
    for (const id of await store.unsettled(graceMs, 50)) {
      if (stopped) return
      await complete(id).catch((err) =>
        log.warn({ err, paymentId: id }, 'could not settle a pending payment'),
      )
    }
  }
  const timer = setInterval(() => {
    if (running) return
    running = sweep()
      .catch((err) => log.warn({ err }, 'payment sweep failed'))
      .finally(() => {
        running = undefined
      })
  }, intervalMs)
  timer.unref()
  return {
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
