/** Failed sign-ins counted for one email. */
export interface LoginFailures {
  failures: number
  windowStartedAt: Date
  lockedUntil: Date | null
}

export interface LockoutPolicy {
  /** Failures within the window that lock the account. */
  maxFailures: number
  windowMs: number
  lockMs: number
}

/** When the lock ends, or undefined when sign-in is open at `now`. */
export function lockedUntil(state: LoginFailures | undefined, now: Date): Date | undefined {
  const until = state?.lockedUntil
  return until && until.getTime() > now.getTime() ? until : undefined
}

/** The count after one more failure; reaching the limit locks and starts a fresh count for afterwards. */
export function afterFailure(
  state: LoginFailures | undefined,
  now: Date,
  policy: LockoutPolicy,
): LoginFailures {
  const windowOpen = state && now.getTime() - state.windowStartedAt.getTime() < policy.windowMs
  const failures = windowOpen ? state.failures + 1 : 1
  const windowStartedAt = windowOpen ? state.windowStartedAt : now
  if (failures >= policy.maxFailures)
    return { failures: 0, windowStartedAt: now, lockedUntil: new Date(now.getTime() + policy.lockMs) }
  return { failures, windowStartedAt, lockedUntil: lockedUntil(state, now) ?? null }
}

/** "in 15 minutes", "in 40 seconds": how long until `until`, rounded up. */
export function retryIn(until: Date, now: Date): string {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000))
  if (seconds < 120) return `in ${seconds} second${seconds === 1 ? '' : 's'}`
  return `in ${Math.ceil(seconds / 60)} minutes`
}
