import type { Logger } from '@microshop/chassis'
import type { ProductDirectory } from './product-directory.js'
import type { Stock } from './stock.js'

/**
 * In the background, gives the catalog's products their opening stock once; while the catalog cannot
 * be reached, tries again every retryMs. Start-up never waits for it.
 */
export function startStockSeeding(deps: {
  stock: Stock
  products: ProductDirectory
  retryMs: number
  log: Logger
}) {
  const { log } = deps
  let stopped = false
  let wake: (() => void) | undefined
  let timer: NodeJS.Timeout | undefined

  const pause = () =>
    new Promise<void>((resolve) => {
      wake = resolve
      timer = setTimeout(resolve, deps.retryMs)
    })

  const run = async () => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        if (await deps.stock.isSeeded()) return
        const ids = await deps.products.allProductIds()
        if (stopped) return
        const seeded = await deps.stock.seed(ids)
        log.info({ products: seeded }, 'opening stock seeded from the catalog')
        return
      } catch (err) {
        log.warn(
          { err, attempt },
          `seeding stock from the catalog failed; trying again in ${deps.retryMs} ms`,
        )
      }
      await pause()
    }
  }
  const done = run()

  return {
    /** Resolves when seeding is done or stopped (for tests and shutdown). */
    done,
    async stop() {
      stopped = true
      clearTimeout(timer)
      wake?.()
      await done
    },
  }
}
