import type { Db, TimerSpec } from '@microshop/chassis'
import type { CartStore } from '../store/cart-store.js'

const BATCH = 500

/** Deletes expired anonymous carts at start and then every intervalMs, in batches that keep each delete short. */
export const createCartPruner = (deps: { db: Db; store: CartStore; intervalMs: number }): TimerSpec => ({
  name: 'prune-carts',
  intervalMs: deps.intervalMs,
  runAtStart: true,
  async run() {
    const deleted = await deps.db.tx((tx) => deps.store.pruneAnonymous(tx, BATCH))
    return deleted === BATCH ? 'again' : deleted === 0 ? 'idle' : undefined
  },
})
