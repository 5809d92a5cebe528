/** Failed sign-ins counted for one email. */
export interface LoginFailures {
  failures: number
  /** The latest failure: the count lives while failures keep coming within the window of each other. */
  windowStartedAt: Date
  /** Sign-in waits until then (every attempt is refused unread), or null when it is open. */
  lockedUntil: Date | null
}

/**
 * A progressive delay, not a lockout: failures below `maxFailures` cost nothing, then each one doubles the
 * wait from one second up to `lockMs`, so wrong passwords from anyone make the owner wait at most that long.
 */
export interface LockoutPolicy {
  /** Failures within the window after which every further one makes sign-in wait. */
  maxFailures: number
  windowMs: number
  /** The longest wait. */
  lockMs: number
}

const FIRST_DELAY_MS = 1_000

/** When the wait ends, or undefined when sign-in is open at `now`. */
export function lockedUntil(state: LoginFailures | undefined, now: Date): Date | undefined {
  const until = state?.lockedUntil
  return until && until.getTime() > now.getTime() ? until : undefined
}

/** How long sign-in waits after the `failures`-th failure in a row: 0, then 1 s, 2 s, 4 s… up to the cap. */
export function delayAfter(failures: number, policy: LockoutPolicy): number {
  const extra = failures - policy.maxFailures
  if (extra < 0) return 0
  // past 2^30 the doubling only overflows: the cap is far below
  return Math.min(FIRST_DELAY_MS * 2 ** Math.min(extra, 30), policy.lockMs)
}

/** The count after one more failure, and the wait it brings. */
export function afterFailure(
  state: LoginFailures | undefined,
  now: Date,
  policy: LockoutPolicy,
): LoginFailures {
  const windowOpen = state && now.getTime() - state.windowStartedAt.getTime() < policy.windowMs
  const failures = windowOpen ? state.failures + 1 : 1
  const delay = delayAfter(failures, policy)
  return { failures, windowStartedAt: now, lockedUntil: delay > 0 ? new Date(now.getTime() + delay) : null }
}

/** "in 15 minutes", "in 40 seconds": how long until `until`, rounded up. */
export function retryIn(until: Date, now: Date): string {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000))
  if (seconds < 120) return `in ${seconds} second${seconds === 1 ? '' : 's'}`
  return `in ${Math.ceil(seconds / 60)} minutes`
}
