import { describe, expect, it } from 'vitest'
import { createMicroCache } from './micro-cache.js'

describe('micro cache', () => {
  it('when requests arrive together, then they share one call; after the TTL, the next one calls again', async () => {
    const cache = createMicroCache<number>({ ttlMs: 0, maxEntries: 10 })
    const held = createMicroCache<number>({ ttlMs: 60_000, maxEntries: 10 })
    let calls = 0
    const fetch = async () => ++calls
    const [a, b] = await Promise.all([held.get('k', fetch), held.get('k', fetch)])
    expect([a, b, calls]).toEqual([1, 1, 1])
    // a TTL of 0 is always past: every get calls
    await cache.get('k', fetch)
    await cache.get('k', fetch)
    expect(calls).toBe(3)
  })

  it('when a call fails, then it is not kept', async () => {
    const cache = createMicroCache<number>({ ttlMs: 60_000, maxEntries: 10 })
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down')
    expect(await cache.get('k', async () => 7)).toBe(7)
  })
})
