import type { Logger } from '@microshop/chassis'
import type { CartStore } from '../store/cart-store.js'

const BATCH = 500

/** Deletes expired anonymous carts now, then every intervalMs, in batches that keep each delete short. */
export function createCartPruner(deps: { store: CartStore; intervalMs: number; log: Logger }) {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let stopped = false

  const pruneAll = async () => {
    let total = 0
    let deleted: number
    do {
      deleted = await deps.store.pruneAnonymous(BATCH)
      total += deleted
    } while (deleted === BATCH && !stopped)
    if (total > 0) deps.log.info({ carts: total }, 'expired anonymous carts deleted')
  }

  const tick = () => {
    running = pruneAll()
      .catch((err) => deps.log.warn({ err }, 'pruning expired carts failed; next try at the next interval'))
      .finally(() => {
        running = undefined
        if (!stopped) timer = setTimeout(tick, deps.intervalMs).unref()
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
