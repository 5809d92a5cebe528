import {
  type Logger,
  type Metrics,
  type RunOutcome,
  serviceCounter,
  type TimerSpec,
} from '@microshop/chassis'
import type { ProductDirectory } from './product-directory.js'
import type { Stock } from './stock.js'

/**
 * Gives the catalog's products their opening stock once, in the background: at start, and while the
 * catalog cannot be reached, again every retryMs. Start-up does not wait for it (the catalog may start
 * later); the instance's readiness does.
 */
export function createStockSeeding(deps: {
  stock: Stock
  products: ProductDirectory
  retryMs: number
  log: Logger
  metrics: Metrics
}): TimerSpec {
  const runs = serviceCounter(
    deps.metrics,
    'inventory_stock_seeding_runs_total',
    'Runs of the opening-stock seeding by outcome: seeded, already_seeded, or failed (retried)',
    ['outcome'],
  )
  return {
    name: 'stock-seeding',
    intervalMs: deps.retryMs,
    runAtStart: true,
    async run(signal): Promise<RunOutcome> {
      try {
        if (await deps.stock.isSeeded()) {
          runs.inc({ outcome: 'already_seeded' })
          return 'done'
        }
        const ids = await deps.products.allProductIds()
        if (signal.aborted) return 'done'
        const seeded = await deps.stock.seed(ids)
        deps.log.info({ products: seeded }, 'opening stock seeded from the catalog')
        runs.inc({ outcome: 'seeded' })
        return 'done'
      } catch (err) {
        runs.inc({ outcome: 'failed' })
        throw err
      }
    },
  }
}
