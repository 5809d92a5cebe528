/**
 * A cache of one second or so for values that move by the second (stock): requests that arrive together
 * share one upstream call, and a hot page costs one call per TTL instead of one per request. A failed call
 * is forgotten at once. Past maxEntries, the whole map starts over (entries live a second anyway).
 */
export function createMicroCache<T>(opts: { ttlMs: number; maxEntries: number }) {
  const entries = new Map<string, { until: number; value: Promise<T> }>()
  return {
    get(key: string, fetch: () => Promise<T>): Promise<T> {
      const now = Date.now()
      const hit = entries.get(key)
      if (hit && hit.until > now) return hit.value
      if (entries.size >= opts.maxEntries) entries.clear()
      const value = fetch()
      entries.set(key, { until: now + opts.ttlMs, value })
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key)
      })
      return value
    },
  }
}
