/** The verdict on one request against a limit. */
export interface RateDecision {
  allowed: boolean
  limit: number
  remaining: number
  /** Milliseconds until the caller may try again (0 when allowed). */
  retryAfterMs: number
}

export interface RateLimitOptions {
  /** Requests allowed per window. */
  limit: number
  windowMs: number
  /** Once the limit is exceeded, refuse everything for this long (brute-force lockout); 0 for none. */
  lockoutMs?: number
  now?: () => number
}

interface Window {
  startedAt: number
  count: number
  lockedUntil: number
}

const SWEEP_EVERY = 1_000

/** Fixed-window counters per key, kept in this process (each gateway replica counts on its own). */
export function createRateLimiter(opts: RateLimitOptions) {
  const now = opts.now ?? Date.now
  const windows = new Map<string, Window>()
  let calls = 0

  const sweep = (t: number) => {
    for (const [key, w] of windows)
      if (t - w.startedAt >= opts.windowMs && w.lockedUntil <= t) windows.delete(key)
  }

  return {
    hit(key: string): RateDecision {
      const t = now()
      if (++calls % SWEEP_EVERY === 0) sweep(t)
      let w = windows.get(key)
      if (w && w.lockedUntil > t)
        return { allowed: false, limit: opts.limit, remaining: 0, retryAfterMs: w.lockedUntil - t }
      if (!w || t - w.startedAt >= opts.windowMs) {
        w = { startedAt: t, count: 0, lockedUntil: 0 }
        windows.set(key, w)
      }
      w.count++
      if (w.count <= opts.limit)
        return { allowed: true, limit: opts.limit, remaining: opts.limit - w.count, retryAfterMs: 0 }
      if (opts.lockoutMs) w.lockedUntil = t + opts.lockoutMs
      const retryAfterMs = opts.lockoutMs ? opts.lockoutMs : w.startedAt + opts.windowMs - t
      return { allowed: false, limit: opts.limit, remaining: 0, retryAfterMs }
    },
    get size() {
      return windows.size
    },
  }
}

export type RateLimiter = ReturnType<typeof createRateLimiter>
