import pg from 'pg'

interface Entry {
  pool: pg.Pool
  users: number
}

const pools = new Map<string, Entry>()

/** A pool another part of this process may share: released by each user, ended by the last. */
export interface SharedPool {
  pool: pg.Pool
  release(): Promise<void>
}

/**
 * A connection pool by URL, shared by the parts of one process that reach the same database as the same role.
 * Locally the registry's table lives in the event log's database: an instance's heartbeats ride the bus's
 * connections instead of holding a PostgreSQL backend of their own (one per instance, ~2 MB of PSS each).
 * The first user's options make the pool, and its `onError` hears of idle connections that fail (once each:
 * a listener per user would tell every failure once per user); a later one with the same URL gets it as it is.
 */
export function acquirePool(
  url: string,
  config: Omit<pg.PoolConfig, 'connectionString'>,
  onError: (err: Error) => void,
): SharedPool {
  let entry = pools.get(url)
  if (!entry) {
    entry = { pool: new pg.Pool({ ...config, connectionString: url }), users: 0 }
    entry.pool.on('error', onError)
    pools.set(url, entry)
  }
  const mine = entry
  mine.users++
  let released = false
  return {
    pool: mine.pool,
    async release() {
      if (released) return
      released = true
      if (--mine.users > 0) return
      if (pools.get(url) === mine) pools.delete(url)
      await mine.pool.end()
    },
  }
}
