import { describe, expect, it } from 'vitest'
import {
  afterFailure,
  type LockoutPolicy,
  type LoginFailures,
  lockedUntil,
  retryIn,
} from './login-lockout.js'

const policy: LockoutPolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 }
const t0 = new Date('2026-03-01T12:00:00Z')
const at = (ms: number) => new Date(t0.getTime() + ms)

const failTimes = (times: number[], start?: LoginFailures) =>
  times.reduce<LoginFailures | undefined>((s, ms) => afterFailure(s, at(ms), policy), start)

describe('login lockout', () => {
  it('when four failures happen in the window, then sign-in stays open', () => {
    const state = failTimes([0, 1_000, 2_000, 3_000])
    expect(state?.failures).toBe(4)
    expect(lockedUntil(state, at(4_000))).toBeUndefined()
  })

  it('when the fifth failure happens in the window, then sign-in is locked for the lock time', () => {
    const state = failTimes([0, 1_000, 2_000, 3_000, 4_000])
    expect(lockedUntil(state, at(5_000))).toEqual(at(4_000 + policy.lockMs))
    expect(lockedUntil(state, at(4_000 + policy.lockMs))).toBeUndefined()
  })

  it('when failures are spread wider than the window, then the count starts over', () => {
    const state = failTimes([0, 1_000, 2_000, 3_000, policy.windowMs + 1])
    expect(state?.failures).toBe(1)
    expect(lockedUntil(state, at(policy.windowMs + 2))).toBeUndefined()
  })

  it('when a lock has passed, then five new failures are needed to lock again', () => {
    const locked = failTimes([0, 1, 2, 3, 4])
    const after = policy.lockMs + 10
    const again = failTimes([after, after + 1, after + 2, after + 3], locked)
    expect(lockedUntil(again, at(after + 4))).toBeUndefined()
    expect(lockedUntil(afterFailure(again, at(after + 5), policy), at(after + 6))).toBeDefined()
  })

  it('when the limit is configured to 3, then the third failure locks', () => {
    const three = { ...policy, maxFailures: 3 }
    const state = [0, 1, 2].reduce<LoginFailures | undefined>(
      (s, ms) => afterFailure(s, at(ms), three),
      undefined,
    )
    expect(lockedUntil(state, at(3))).toBeDefined()
  })
})

describe('retryIn', () => {
  it('when the lock ends soon, then seconds are named; when later, then minutes, rounded up', () => {
    expect(retryIn(at(1_000), t0)).toBe('in 1 second')
    expect(retryIn(at(40_500), t0)).toBe('in 41 seconds')
    expect(retryIn(at(15 * 60_000), t0)).toBe('in 15 minutes')
    expect(retryIn(at(14 * 60_000 + 1), t0)).toBe('in 15 minutes')
  })
})
