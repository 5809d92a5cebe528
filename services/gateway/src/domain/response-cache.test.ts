import { describe, expect, it } from 'vitest'
import { createResponseCache, etagOf } from './response-cache.js'

describe('response cache', () => {
  const setup = (maxEntries = 10) => {
    let t = 0
    let fetches = 0
    const cache = createResponseCache({ ttlMs: 100, staleMs: 100, maxEntries, now: () => t })
    const fetch = async () => ({ n: ++fetches })
    const advance = (ms: number) => {
      t += ms
    }
    return { cache, fetch, advance, fetches: () => fetches }
  }

  it('when an entry is fresh, then it is served without fetching, with an ETag of its value', async () => {
    const { cache, fetch, fetches } = setup()
    const first = await cache.get('/a', fetch)
    const second = await cache.get('/a', fetch)
    expect([first.hit, second.hit]).toEqual(['miss', 'fresh'])
    expect(fetches()).toBe(1)
    expect(second.etag).toBe(etagOf({ n: 1 }))
  })

  it('when an entry is stale, then the old value is served and one refresh runs behind it', async () => {
    const { cache, fetch, advance, fetches } = setup()
    await cache.get('/a', fetch)
    advance(150)
    const stale = await Promise.all([cache.get('/a', fetch), cache.get('/a', fetch)])
    expect(stale.map((s) => [s.hit, s.value])).toEqual([
      ['stale', { n: 1 }],
      ['stale', { n: 1 }],
    ])
    await new Promise((r) => setImmediate(r))
    expect(fetches()).toBe(2)
    expect((await cache.get('/a', fetch)).value).toEqual({ n: 2 })
  })

  it('when an entry is past stale, then the caller waits for a fresh value', async () => {
    const { cache, fetch, advance } = setup()
    await cache.get('/a', fetch)
    advance(250)
    const res = await cache.get('/a', fetch)
    expect([res.hit, res.value]).toEqual(['miss', { n: 2 }])
  })

  it('when a fetch fails, then nothing is cached and the error reaches the caller', async () => {
    const { cache } = setup()
    await expect(cache.get('/x', () => Promise.reject(new Error('down')))).rejects.toThrow('down')
    expect(cache.size).toBe(0)
  })

  it('when more keys than the limit are stored, then the oldest go first, and clear empties it', async () => {
    const { cache, fetch } = setup(2)
    for (const key of ['/1', '/2', '/3']) await cache.get(key, fetch)
    expect(cache.size).toBe(2)
    expect((await cache.get('/1', fetch)).hit).toBe('miss')
    cache.clear()
    expect(cache.size).toBe(0)
  })
})
