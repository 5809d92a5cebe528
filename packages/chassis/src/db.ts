import pg from 'pg'
import type { Logger } from './logger.js'

/** Anything that runs a query: the pool, or a client inside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>
}

/** A service's connection pool with the one way it runs a transaction. */
export interface Db extends Queryable {
  readonly pool: pg.Pool
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  tx<T>(fn: (client: Queryable) => Promise<T>): Promise<T>
  /** True when the database answers within the timeout. */
  ping(timeoutMs?: number): Promise<boolean>
  close(): Promise<void>
}

// int8 (bigint, count(*)) as a number: our values stay far below 2^53
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10))

export function createDb(url: string, opts: { max?: number; log?: Logger; name?: string } = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: opts.name,
  })
  // an idle client losing its connection must not crash the process; the pool replaces it
  pool.on('error', (err) => opts.log?.warn({ err }, 'idle database connection failed'))

  return {
    pool,
    query: (sql, params) => pool.query(sql, params as unknown[]),
    async tx(fn) {
      const client = await pool.connect()
      try {
        await client.query('begin')
        const result = await fn(client)
        await client.query('commit')
        return result
      } catch (err) {
        await client.query('rollback').catch(() => undefined)
        throw err
      } finally {
        client.release()
      }
    },
    async ping(timeoutMs = 1_000) {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs)
      })
      const probe = pool.query('select 1').then(
        () => true,
        () => false,
      )
      try {
        return await Promise.race([probe, timeout])
      } finally {
        clearTimeout(timer)
      }
    },
    close: () => pool.end(),
  }
}
