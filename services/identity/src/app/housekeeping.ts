import type { Logger } from '@microshop/chassis'
import type { LockoutPolicy } from '../domain/login-lockout.js'
import type { LoginFailureStore } from '../store/login-failure-store.js'
import type { RefreshTokenStore } from '../store/refresh-token-store.js'
import type { KeyRing } from './key-ring.js'

// expired refresh tokens are kept a day, so a late reuse still answers "expired" rather than "unknown"
const EXPIRED_TOKEN_GRACE_MS = 24 * 3_600_000

/** Every interval: rotate the signing key when due, and forget expired tokens and stale failure counts. */
export function startHousekeeping(deps: {
  keys: KeyRing
  refreshTokens: RefreshTokenStore
  failures: LoginFailureStore
  lockout: LockoutPolicy
  intervalMs: number
  clock: () => Date
  log: Logger
}): { stop(): Promise<void> } {
  const { log, clock } = deps
  let running: Promise<void> | undefined

  const tick = async () => {
    await deps.keys.ensureCurrent()
    const now = clock().getTime()
    await deps.refreshTokens.prune(new Date(now - EXPIRED_TOKEN_GRACE_MS))
    await deps.failures.prune(new Date(now - deps.lockout.windowMs - deps.lockout.lockMs))
  }

  const timer = setInterval(() => {
    running ??= tick()
      .catch((err) => log.warn({ err }, 'housekeeping failed; next try at the next interval'))
      .finally(() => {
        running = undefined
      })
  }, deps.intervalMs)
  timer.unref()

  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
