import { describe, expect, it } from 'vitest'
import {
  afterFailure,
  delayAfter,
  type LockoutPolicy,
  type LoginFailures,
  lockedUntil,
  retryIn,
} from './login-lockout.js'

const policy: LockoutPolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 60_000 }
const t0 = new Date('2026-03-01T12:00:00Z')
const at = (ms: number) => new Date(t0.getTime() + ms)

const failTimes = (times: number[], start?: LoginFailures) =>
  times.reduce<LoginFailures | undefined>((s, ms) => afterFailure(s, at(ms), policy), start)

describe('login delay', () => {
  it('when four failures happen in the window, then sign-in stays open', () => {
    const state = failTimes([0, 1_000, 2_000, 3_000])
    expect(state?.failures).toBe(4)
    expect(lockedUntil(state, at(3_000))).toBeUndefined()
  })

  it('when the fifth failure happens, then sign-in waits one second, not a lockout', () => {
    const state = failTimes([0, 1_000, 2_000, 3_000, 4_000])
    expect(lockedUntil(state, at(4_000))).toEqual(at(5_000))
    expect(lockedUntil(state, at(5_000))).toBeUndefined()
  })

  it('when failures go on, then each doubles the wait up to the cap and never beyond', () => {
    expect([5, 6, 7, 8, 9, 10, 11, 40, 1_000_000].map((n) => delayAfter(n, policy))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ])
    // a hundred failures, a minute apart: the owner still never waits more than the cap
    const state = failTimes(Array.from({ length: 100 }, (_, i) => i * 60_000))
    expect(state?.failures).toBe(100)
    expect(lockedUntil(state, at(99 * 60_000 + 60_000))).toBeUndefined()
  })

  it('when failures are spread wider than the window, then the count starts over', () => {
    const state = failTimes([0, 1_000, 2_000, 3_000, 3_000 + policy.windowMs])
    expect(state?.failures).toBe(1)
    expect(lockedUntil(state, at(3_000 + policy.windowMs))).toBeUndefined()
  })

  it('when failures keep coming within the window of each other, then the count goes on', () => {
    const step = policy.windowMs - 1
    const state = failTimes([0, step, 2 * step, 3 * step, 4 * step])
    expect(state?.failures).toBe(5)
    expect(lockedUntil(state, at(4 * step))).toEqual(at(4 * step + 1_000))
  })

  it('when the limit is configured to 3, then the third failure brings the first wait', () => {
    const three = { ...policy, maxFailures: 3 }
    const state = [0, 1, 2].reduce<LoginFailures | undefined>(
      (s, ms) => afterFailure(s, at(ms), three),
      undefined,
    )
    expect(lockedUntil(state, at(3))).toEqual(at(1_002))
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
