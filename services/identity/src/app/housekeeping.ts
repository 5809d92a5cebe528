import type { Db, TimerSpec } from '@microshop/chassis'
import type { LockoutPolicy } from '../domain/login-lockout.js'
import type { LoginFailureStore } from '../store/login-failure-store.js'
import type { RefreshTokenStore } from '../store/refresh-token-store.js'
import type { KeyRing } from './key-ring.js'

// expired refresh tokens are kept a day, so a late reuse still answers "expired" rather than "unknown"
const EXPIRED_TOKEN_GRACE_MS = 24 * 3_600_000

/** Every interval: rotate the signing key when due, and forget expired tokens and stale failure counts. */
export const createHousekeeping = (deps: {
  db: Db
  keys: KeyRing
  refreshTokens: RefreshTokenStore
  failures: LoginFailureStore
  lockout: LockoutPolicy
  intervalMs: number
  clock: () => Date
}): TimerSpec => ({
  name: 'identity-housekeeping',
  intervalMs: deps.intervalMs,
  async run() {
    const rotated = await deps.keys.ensureCurrent()
    const now = deps.clock().getTime()
    const pruned = await deps.db.tx(
      async (tx) =>
        (await deps.refreshTokens.prune(tx, new Date(now - EXPIRED_TOKEN_GRACE_MS))) +
        (await deps.failures.prune(tx, new Date(now - deps.lockout.windowMs - deps.lockout.lockMs))),
    )
    return rotated || pruned > 0 ? undefined : 'idle'
  },
})
