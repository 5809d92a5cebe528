import type { Db, Logger, TimerSpec } from '@microshop/chassis'
import type { IdempotencyStore } from '../store/idempotency-store.js'

/** Forgets Idempotency-Keys older than the retention, every intervalMs. */
export const createKeyPruner = (deps: {
  db: Db
  keys: IdempotencyStore
  retentionSeconds: number
  intervalMs: number
  log: Logger
}): TimerSpec => ({
  name: 'prune-keys',
  intervalMs: deps.intervalMs,
  async run() {
    const removed = await deps.db.tx((tx) => deps.keys.prune(tx, deps.retentionSeconds))
    if (removed === 0) return 'idle'
    deps.log.info({ removed }, 'old idempotency keys pruned')
    return undefined
  },
})
