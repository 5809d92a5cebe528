import { createHash } from 'node:crypto'
import { SpanKind } from '@opentelemetry/api'
import pg from 'pg'
import type { Logger } from './logger.js'
import type { Metrics } from './metrics.js'
import type { Telemetry } from './telemetry.js'

/** Anything that runs a query: the pool, or a client inside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>
}

declare const inTx: unique symbol

/**
 * A client inside a transaction. Store methods that write take one, first and required: the pool is not a
 * Tx, so a write that forgot its transaction does not compile.
 */
export interface Tx extends Queryable {
  readonly [inTx]: true
  /** Runs fn once the transaction has committed (never when it rolls back); errors are the caller's to catch. */
  afterCommit(fn: () => void): void
}

/** A service's connection pool with the one way it runs a transaction. */
export interface Db extends Queryable {
  readonly pool: pg.Pool
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>
  /** True when the database answers within the timeout. */
  ping(timeoutMs?: number): Promise<boolean>
  close(): Promise<void>
}

// int8 (bigint, count(*)) as a number: our values stay far below 2^53
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10))

/** Runs fn in one transaction on a client of the pool: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
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
}

/**
 * Applies idempotent DDL statements in one transaction under an advisory lock, so that processes starting
 * together take turns; a newer version adds statements, never edits one.
 */
export async function ensureSchema(
  pool: pg.Pool,
  lockId: number,
  statements: readonly string[],
): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('select pg_advisory_xact_lock($1)', [lockId])
    for (const statement of statements) await client.query(statement)
  })
}

/**
 * Whether this connection's role keeps the schema of `table`: it owns the table (or is a superuser), or the
 * table does not exist yet. A service's own role on a shared database (bus, registry) does not: its owner does.
 */
export async function keepsSchemaOf(q: Queryable, table: string): Promise<boolean> {
  const { rows } = await q.query<{ keeps: boolean }>(
    `select coalesce((select pg_has_role(relowner, 'usage') from pg_class where oid = to_regclass($1)), true)
       as keeps`,
    [table],
  )
  return rows[0]?.keeps ?? true
}

/** Runs fn with a client of its own connection to url, closed afterwards (one-off work: provisioning, audits). */
export async function withConnection<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

// statement names by text; texts past the cap (SQL built at run time) are sent unnamed
const statementNames = new Map<string, string>()
const MAX_PREPARED = 2_000

/**
 * A query with parameters as a named prepared statement: PostgreSQL parses and plans it once per connection,
 * not at every call. Statements without parameters (begin, commit, DDL) go as they are.
 */
function prepared(text: string, values: unknown[] | undefined): pg.QueryConfig {
  if (!values || values.length === 0) return { text }
  let name = statementNames.get(text)
  if (name === undefined && statementNames.size < MAX_PREPARED) {
    name = `s${createHash('sha1').update(text).digest('base64url').slice(0, 16)}`
    statementNames.set(text, name)
  }
  return { name, text, values }
}

const databaseOf = (url: string) => {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1))
  } catch {
    return ''
  }
}

export function createDb(
  url: string,
  opts: { max?: number; log?: Logger; name?: string; telemetry?: Telemetry; metrics?: Metrics } = {},
): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: 5_000,
    // the pool hands out its most recently used connection first, so one idle this long is one the load does
    // not need: closed, it gives back its backend's 3 MB (a burst's connections otherwise stayed 30 s)
    idleTimeoutMillis: 5_000,
    application_name: opts.name,
  })
  const dbAttributes = { 'db.system.name': 'postgresql', 'db.namespace': databaseOf(url) }
  // an idle client losing its connection must not crash the process; the pool replaces it
  pool.on('error', (err) => opts.log?.warn({ err }, 'idle database connection failed'))

  return {
    pool,
    query: (sql, params) => pool.query(prepared(sql, params)),
    async tx(fn) {
      const committed: Array<() => void> = []
      const run = () =>
        inTransaction(pool, (client) => {
          const tx = {
            query: (sql: string, params?: unknown[]) => client.query(prepared(sql, params)),
            afterCommit: (hook: () => void) => void committed.push(hook),
          }
          return fn(tx as unknown as Tx)
        })
      const started = performance.now()
      let outcome = 'rollback'
      try {
        const result = opts.telemetry
          ? await opts.telemetry.span('transaction', { kind: SpanKind.CLIENT, attributes: dbAttributes }, run)
          : await run()
        outcome = 'commit'
        for (const hook of committed) hook()
        return result
      } finally {
        opts.metrics?.transactions.observe({ outcome }, (performance.now() - started) / 1000)
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
