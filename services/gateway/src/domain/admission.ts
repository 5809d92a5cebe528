/**
 * Admission control: at most `limit` requests of a class work at once, up to `queue` more wait their turn
 * for at most `maxWaitMs`, and the rest are refused at once. Past capacity a client hears "come back in
 * n ms" within maxWaitMs, instead of a 503 after the upstream deadline, and the services behind see a
 * bounded number of calls however many clients arrive.
 */
export interface AdmissionOptions {
  /** Requests of the class working at once. */
  limit: number
  /** Requests waiting for a slot; past it, a request is refused at once. */
  queue: number
  /** How long a request may wait for a slot before it is refused. */
  maxWaitMs: number
}

/** Refused: the class is at its limit with a full queue, or the wait ran out. */
export class Overloaded extends Error {
  constructor(
    readonly retryAfterMs: number,
    readonly reason: 'queue_full' | 'wait_timeout',
  ) {
    super(`overloaded (${reason}); retry in ${retryAfterMs} ms`)
    this.name = 'Overloaded'
  }
}

interface Waiter {
  grant(release: () => void): void
  timer: NodeJS.Timeout
}

const MIN_RETRY_MS = 100
const MAX_RETRY_MS = 10_000

export function createAdmission(opts: AdmissionOptions) {
  let working = 0
  const waiting: Waiter[] = []
  // time a request holds its slot, smoothed: with the queue's length it estimates when a slot frees up
  let serviceMs = 50

  const retryAfterMs = () =>
    Math.round(
      Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, (serviceMs * (waiting.length + 1)) / opts.limit)),
    )

  const slot = () => {
    const started = performance.now()
    let released = false
    return () => {
      if (released) return
      released = true
      serviceMs += (performance.now() - started - serviceMs) * 0.1
      const next = waiting.shift()
      if (next) {
        clearTimeout(next.timer)
        next.grant(slot())
      } else working--
    }
  }

  return {
    /** A slot now (its release function), or a promise of one; throws or rejects Overloaded. */
    admit(): (() => void) | Promise<() => void> {
      if (working < opts.limit) {
        working++
        return slot()
      }
      if (waiting.length >= opts.queue) throw new Overloaded(retryAfterMs(), 'queue_full')
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          grant: resolve,
          timer: setTimeout(() => {
            waiting.splice(waiting.indexOf(waiter), 1)
            reject(new Overloaded(retryAfterMs(), 'wait_timeout'))
          }, opts.maxWaitMs),
        }
        waiting.push(waiter)
      })
    },
    get working() {
      return working
    },
    get waiting() {
      return waiting.length
    },
  }
}

export type Admission = ReturnType<typeof createAdmission>
