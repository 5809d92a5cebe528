import { randomBytes } from 'node:crypto'
import { withConnection } from '@microshop/chassis/internal'
import type pg from 'pg'
import { inject } from 'vitest'
import './provided.js'

export interface TestDatabase {
  /** Connection URL of the new database, as the superuser. */
  url: string
  name: string
  /** Drops the database, ending any session still connected to it. */
  drop(): Promise<void>
}

const asAdmin = <T>(fn: (client: pg.Client) => Promise<T>) => withConnection(inject('pgAdminUrl'), fn)

/** A fresh, empty database on the test run's embedded PostgreSQL, named `<prefix>_<random>`. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const safe = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .slice(0, 40)
  const name = `${safe}_${randomBytes(6).toString('hex')}`
  // a file copy of the small template beats writing it through the WAL: 0.25 s instead of 0.4 s, per database
  await asAdmin((client) =>
    client.query(`create database ${client.escapeIdentifier(name)} strategy = file_copy`),
  )
  const url = new URL(inject('pgAdminUrl'))
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    drop: () =>
      asAdmin((client) =>
        client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`),
      ).then(() => undefined),
  }
}
