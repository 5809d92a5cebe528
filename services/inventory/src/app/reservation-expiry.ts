import type { Logger } from '@microshop/chassis'
import type { Reservations } from './reservations.js'

// expiring more than this in one round would hold the next round back; the rest wait one interval
const MAX_PER_ROUND = 500

/** Every intervalMs, expires the reservations past their time (each in its own transaction), then waits again. */
export function startExpirySweeper(deps: { reservations: Reservations; intervalMs: number; log: Logger }) {
  const { log } = deps
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let stopped = false

  const sweep = async () => {
    let expired = 0
    while (!stopped && expired < MAX_PER_ROUND && (await deps.reservations.expireNext())) expired++
    if (expired > 0) log.info({ reservations: expired }, 'expired reservations released')
  }

  const tick = () => {
    running = sweep()
      .catch((err) => log.warn({ err }, 'expiring reservations failed; next try at the next interval'))
      .finally(() => {
        running = undefined
        if (!stopped) timer = setTimeout(tick, deps.intervalMs).unref()
      })
  }
  timer = setTimeout(tick, deps.intervalMs).unref()

  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
