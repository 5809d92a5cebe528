import { describe, expect, it } from 'vitest'
import { createRateLimiter } from './rate-limit.js'

describe('rate limiter', () => {
  const clock = (start = 0) => {
    let t = start
    return {
      now: () => t,
      advance: (ms: number) => {
        t += ms
      },
    }
  }

  it('when a key stays within its limit, then every hit is allowed and remaining counts down', () => {
    const c = clock()
    const limiter = createRateLimiter({ limit: 3, windowMs: 1_000, now: c.now })
    expect([1, 2, 3].map(() => limiter.hit('a').remaining)).toEqual([2, 1, 0])
  })

  it('when a key goes over, then it is refused until the window ends, and other keys are not affected', () => {
    const c = clock()
    const limiter = createRateLimiter({ limit: 2, windowMs: 1_000, now: c.now })
    limiter.hit('a')
    limiter.hit('a')
    c.advance(400)
    const over = limiter.hit('a')
    expect(over.allowed).toBe(false)
    expect(over.retryAfterMs).toBe(600)
    expect(limiter.hit('b').allowed).toBe(true)
    c.advance(600)
    expect(limiter.hit('a').allowed).toBe(true)
  })

  it('when a lockout is set, then going over locks the key out for the whole lockout', () => {
    const c = clock()
    const limiter = createRateLimiter({ limit: 1, windowMs: 1_000, lockoutMs: 10_000, now: c.now })
    limiter.hit('ip')
    expect(limiter.hit('ip').retryAfterMs).toBe(10_000)
    c.advance(5_000)
    const locked = limiter.hit('ip')
    expect(locked.allowed).toBe(false)
    expect(locked.retryAfterMs).toBe(5_000)
    c.advance(5_000)
    expect(limiter.hit('ip').allowed).toBe(true)
  })
})
