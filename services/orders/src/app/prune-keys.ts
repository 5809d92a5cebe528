import type { Logger } from '@microshop/chassis'
import type { IdempotencyStore } from '../store/idempotency-store.js'

/** Forgets Idempotency-Keys older than the retention, on a timer. */
export function createKeyPruner(deps: {
  keys: IdempotencyStore
  retentionSeconds: number
  intervalMs: number
  log: Logger
}) {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  const prune = async () => {
    try {
      const removed = await deps.keys.prune(deps.retentionSeconds)
      if (removed > 0) deps.log.info({ removed }, 'old idempotency keys pruned')
    } catch (err) {
      deps.log.warn({ err }, 'pruning idempotency keys failed; next time')
    }
  }
  return {
    start() {
      timer = setInterval(() => {
        running ??= prune().finally(() => {
          running = undefined
        })
      }, deps.intervalMs)
      timer.unref()
    },
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
