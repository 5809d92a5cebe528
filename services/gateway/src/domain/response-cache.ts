import { createHash } from 'node:crypto'
import { createCoalescer } from './coalesce.js'

export interface CachedValue {
  value: unknown
  etag: string
}

export interface CacheOptions {
  ttlMs: number
  /** How long past its TTL an entry may still be served while a fresh one is fetched. */
  staleMs: number
  maxEntries: number
  now?: () => number
}

interface Entry extends CachedValue {
  storedAt: number
}

/** A weak ETag over a value's JSON form. */
export const etagOf = (value: unknown): string =>
  `W/"${createHash('sha1').update(JSON.stringify(value)).digest('base64url')}"`

/**
 * Read-through cache with stale-while-revalidate: a fresh entry is served as is, a stale one is
 * served while one refresh runs in the background, an expired one waits for the fetch.
 */
export function createResponseCache(opts: CacheOptions) {
  const now = opts.now ?? Date.now
  const entries = new Map<string, Entry>()
  const refreshing = createCoalescer<CachedValue>()

  const store = (key: string, value: unknown): CachedValue => {
    const entry = { value, etag: etagOf(value), storedAt: now() }
    entries.delete(key)
    entries.set(key, entry)
    // Map keeps insertion order: the first key is the least recently stored
    while (entries.size > opts.maxEntries) entries.delete(entries.keys().next().value!)
    return entry
  }

  const fetchInto = (key: string, fetch: () => Promise<unknown>) =>
    refreshing.run(key, () => fetch().then((value) => store(key, value)))

  return {
    async get(
      key: string,
      fetch: () => Promise<unknown>,
    ): Promise<CachedValue & { hit: 'fresh' | 'stale' | 'miss' }> {
      const entry = entries.get(key)
      const age = entry ? now() - entry.storedAt : Number.POSITIVE_INFINITY
      if (entry && age < opts.ttlMs) return { ...entry, hit: 'fresh' }
      if (entry && age < opts.ttlMs + opts.staleMs) {
        fetchInto(key, fetch).catch(() => undefined)
        return { ...entry, hit: 'stale' }
      }
      return { ...(await fetchInto(key, fetch)), hit: 'miss' }
    },
    /** Forget everything, e.g. when the catalog says a product changed. */
    clear: () => entries.clear(),
    get size() {
      return entries.size
    },
  }
}

export type ResponseCache = ReturnType<typeof createResponseCache>
