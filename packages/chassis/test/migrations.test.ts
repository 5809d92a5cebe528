import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { silentLogger } from '../../../test-support/grpc.js'
import type { Db } from '../src/index.js'
import { createDb, loadMigrations, runMigrations } from '../src/internal.js'

const dirs: string[] = []

/** A folder of migration files, written as given. */
async function migrationDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'microshop-migrations-'))
  dirs.push(dir)
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql)
  return dir
}

const base = {
  '0001_items.sql': 'create table items (id int primary key, name text not null);',
  '0002_item_price.sql':
    "alter table items add column price int not null default 0;\ninsert into items values (1, 'first', 10);",
}

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

describe('runMigrations', () => {
  let database: TestDatabase
  const pools: Db[] = []
  const connect = () => {
    const db = createDb(database.url, { max: 2 })
    pools.push(db)
    return db
  }
  const applied = async (db: Db) =>
    (
      await db.query<{ version: number; name: string }>(
        'select version, name from schema_migrations order by version',
      )
    ).rows

  beforeEach(async () => {
    database = await createTestDatabase('migrations')
  })
  afterEach(async () => {
    for (const db of pools.splice(0)) await db.close()
    await database.drop()
  })

  it('when run on a fresh database, then every migration is applied in order and recorded', async () => {
    const db = connect()
    expect(await runMigrations(db, await migrationDir(base), silentLogger)).toBe(2)
    expect(await applied(db)).toEqual([
      { version: 1, name: 'items' },
      { version: 2, name: 'item_price' },
    ])
    expect((await db.query('select id, name, price from items')).rows).toEqual([
      { id: 1, name: 'first', price: 10 },
    ])
  })

  it('when run again, then nothing is reapplied; when a new file appears, then only it is applied', async () => {
    const db = connect()
    const dir = await migrationDir(base)
    await runMigrations(db, dir, silentLogger)
    expect(await runMigrations(db, dir, silentLogger)).toBe(0)
    expect((await db.query('select count(*)::int as n from items')).rows[0]!.n).toBe(1)
    await writeFile(join(dir, '0003_item_sku.sql'), 'alter table items add column sku text;')
    expect(await runMigrations(db, dir, silentLogger)).toBe(1)
    expect((await applied(db)).map((m) => m.version)).toEqual([1, 2, 3])
    expect((await db.query('select count(*)::int as n from items')).rows[0]!.n).toBe(1)
  })

  it('when an applied file was edited, then the run fails naming it and applies nothing further', async () => {
    const db = connect()
    const dir = await migrationDir(base)
    await runMigrations(db, dir, silentLogger)
    await writeFile(join(dir, '0001_items.sql'), 'create table items (id bigint primary key, name text);')
    await writeFile(join(dir, '0003_more.sql'), 'create table more (id int);')
    await expect(runMigrations(db, dir, silentLogger)).rejects.toThrow(
      /1_items was changed after it was applied/,
    )
    expect((await applied(db)).map((m) => m.version)).toEqual([1, 2])
    expect((await db.query("select to_regclass('more') as t")).rows[0]!.t).toBeNull()
  })

  it('when a migration fails, then it is rolled back whole, earlier ones stay, and the error names it', async () => {
    const db = connect()
    const dir = await migrationDir({
      ...base,
      '0003_broken.sql': 'create table half (id int);\nselect * from no_such_table;',
    })
    await expect(runMigrations(db, dir, silentLogger)).rejects.toThrow(
      /migration 3_broken failed: .*no_such_table/,
    )
    expect((await applied(db)).map((m) => m.version)).toEqual([1, 2])
    expect((await db.query("select to_regclass('half') as t")).rows[0]!.t).toBeNull()
  })

  it('when two runners start at once on a fresh database, then both succeed and each migration runs once', async () => {
    const dir = await migrationDir({
      ...base,
      '0003_slow.sql': "select pg_sleep(0.2);\ninsert into items values (2, 'second', 20);",
    })
    const counts = await Promise.all([
      runMigrations(connect(), dir, silentLogger),
      runMigrations(connect(), dir, silentLogger),
      runMigrations(connect(), dir, silentLogger),
    ])
    expect(counts.sort()).toEqual([0, 0, 3])
    const db = connect()
    expect((await applied(db)).map((m) => m.version)).toEqual([1, 2, 3])
    expect((await db.query('select id from items order by id')).rows).toEqual([{ id: 1 }, { id: 2 }])
  })

  it('when runners finish, then the advisory lock is released', async () => {
    const db = connect()
    const dir = await migrationDir(base)
    await runMigrations(db, dir, silentLogger)
    await expect(runMigrations(db, dir, silentLogger)).resolves.toBe(0)
    const { rows } = await db.query(
      `select count(*)::int as n from pg_locks
        where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`,
    )
    expect(rows[0]!.n).toBe(0)
  })
})

describe('loadMigrations', () => {
  it('when files are numbered without gaps, then they load in order with checksums', async () => {
    const dir = await migrationDir({ ...base, 'README.md': 'not a migration' })
    const migrations = await loadMigrations(dir)
    expect(migrations.map((m) => [m.version, m.name])).toEqual([
      [1, 'items'],
      [2, 'item_price'],
    ])
    expect(migrations[0]!.checksum).toMatch(/^[0-9a-f]{64}$/)
    expect(migrations[0]!.checksum).not.toBe(migrations[1]!.checksum)
  })

  it('when a number is missing, then loading fails', async () => {
    const dir = await migrationDir({ '0001_a.sql': 'select 1;', '0003_c.sql': 'select 1;' })
    await expect(loadMigrations(dir)).rejects.toThrow(/without gaps/)
  })

  it('when a file is misnamed, then loading fails naming it', async () => {
    const dir = await migrationDir({ '0001_a.sql': 'select 1;', '2_Bad-Name.sql': 'select 1;' })
    await expect(loadMigrations(dir)).rejects.toThrow(/2_Bad-Name.sql is not named NNNN_name.sql/)
  })
})
