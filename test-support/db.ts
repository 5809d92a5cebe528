import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'
import './provided.js'

export interface TestDatabase {
  /** Connection URL of the new database, as the superuser. */
  url: string
  name: string
  /** Drops the database, ending any session still connected to it. */
  drop(): Promise<void>
}

async function asAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('pgAdminUrl') })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** A fresh, empty database on the test run's embedded PostgreSQL, named `<prefix>_<random>`. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const safe = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .slice(0, 40)
  const name = `${safe}_${randomBytes(6).toString('hex')}`
  await asAdmin((client) => client.query(`create database ${client.escapeIdentifier(name)}`))
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
