import type { Logger, TimerSpec } from '@microshop/chassis'
import type { Reservations } from './reservations.js'

// one run expires at most this many, so that a stop never waits long; with more due, the next run starts at once
const MAX_PER_RUN = 500

/** Every intervalMs, expires the reservations past their time, each in its own transaction. */
export const createReservationExpiry = (deps: {
  reservations: Reservations
  intervalMs: number
  log: Logger
}): TimerSpec => ({
  name: 'reservation-expiry',
  intervalMs: deps.intervalMs,
  async run(signal) {
    let expired = 0
    while (!signal.aborted && expired < MAX_PER_RUN && (await deps.reservations.expireNext())) expired++
    if (expired > 0) deps.log.info({ reservations: expired }, 'expired reservations released')
    return expired === MAX_PER_RUN ? 'again' : expired === 0 ? 'idle' : undefined
  },
})
