/** The delay before retry number `attempt` (1-based): doubling from baseMs up to maxMs, with jitter. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30))
  // full jitter over the upper half: replicas that failed together do not retry together
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2)
}

/** Resolves after ms, or as soon as the signal aborts (without throwing). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** A wake-up call: wait() resolves at the next wake(), or after ms; a wake with nobody waiting is kept. */
export function createWakeup() {
  let pending = false
  let resolveWait: (() => void) | undefined
  return {
    wake() {
      pending = true
      resolveWait?.()
    },
    async wait(ms: number) {
      if (pending) {
        pending = false
        return
      }
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        resolveWait = resolve
        timer = setTimeout(resolve, ms)
      })
      clearTimeout(timer)
      resolveWait = undefined
      pending = false
    },
  }
}
