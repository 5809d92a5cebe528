import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Db } from './db.js'
import { advisoryLocks } from './locks.js'
import type { Logger } from './logger.js'

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/
const LOCK_ID = advisoryLocks.migrations

export interface Migration {
  version: number
  name: string
  sql: string
  checksum: string
}

export async function loadMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort()
  const migrations: Migration[] = []
  for (const file of files) {
    const match = FILE_PATTERN.exec(file)
    if (!match) throw new Error(`migration file ${file} is not named NNNN_name.sql`)
    const sql = await readFile(join(dir, file), 'utf8')
    const checksum = createHash('sha256').update(sql).digest('hex')
    migrations.push({ version: Number(match[1]), name: match[2]!, sql, checksum })
  }
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migrations must be numbered 0001, 0002, … without gaps: ${m.name}`)
  })
  return migrations
}

/**
 * Applies the migrations not yet applied, each in its own transaction, forward only.
 * An advisory lock makes replicas that start together take turns; an edited applied file is an error.
 */
export async function runMigrations(db: Db, dir: string, log: Logger): Promise<number> {
  const migrations = await loadMigrations(dir)
  const client = await db.pool.connect()
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_ID])
    await client.query(`create table if not exists schema_migrations (
      version int primary key, name text not null, checksum text not null,
      applied_at timestamptz not null default now())`)
    const { rows } = await client.query<{ version: number; checksum: string }>(
      'select version, checksum from schema_migrations',
    )
    const applied = new Map(rows.map((r) => [r.version, r.checksum]))
    let count = 0
    for (const m of migrations) {
      const checksum = applied.get(m.version)
      if (checksum !== undefined) {
        if (checksum !== m.checksum)
          throw new Error(
            `migration ${m.version}_${m.name} was changed after it was applied; add a new one instead`,
          )
        continue
      }
      await client.query('begin')
      try {
        await client.query(m.sql)
        await client.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ])
        await client.query('commit')
      } catch (err) {
        await client.query('rollback')
        throw new Error(`migration ${m.version}_${m.name} failed: ${(err as Error).message}`, { cause: err })
      }
      log.info({ migration: `${String(m.version).padStart(4, '0')}_${m.name}` }, 'migration applied')
      count++
    }
    return count
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK_ID]).catch(() => undefined)
    client.release()
  }
}
