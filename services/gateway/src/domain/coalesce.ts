/**
 * Calls that share a key while one is under way share its result: one read for a burst of requests for
 * the same thing, each answer never older than that one read. The key is free again once it settles.
 */
export function createCoalescer<T>() {
  const underWay = new Map<string, Promise<T>>()
  return {
    run(key: string, fn: () => Promise<T>): Promise<T> {
      let pending = underWay.get(key)
      if (!pending) {
        pending = fn().finally(() => underWay.delete(key))
        underWay.set(key, pending)
      }
      return pending
    },
    get size() {
      return underWay.size
    },
  }
}
