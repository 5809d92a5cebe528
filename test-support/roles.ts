import { randomBytes } from 'node:crypto'
import { withConnection } from '@microshop/chassis/internal'
import { inject } from 'vitest'
import type { TestDatabase } from './db.js'
import './provided.js'

/** A login role of a service's own on the test run's PostgreSQL, as the launcher makes one per service. */
export interface TestRole {
  role: string
  service: string
  /** The URL of `db` as this role. */
  urlOf(db: TestDatabase): string
}

/**
 * A fresh login role for `service` (roles are cluster-wide and test files run side by side: its name is
 * `<service>_<random>`), allowed to connect to the given databases.
 */
export async function createServiceRole(service: string, databases: TestDatabase[]): Promise<TestRole> {
  const role = `${service.replace(/[^a-z0-9_]+/g, '_')}_${randomBytes(4).toString('hex')}`
  const password = randomBytes(12).toString('hex')
  await withConnection(inject('pgAdminUrl'), async (client) => {
    // grants on one database rewrite its ACL: taken in turns, or a concurrent one fails
    await client.query('begin')
    await client.query('select pg_advisory_xact_lock(7305417999)')
    await client.query(
      `create role ${client.escapeIdentifier(role)} login password ${client.escapeLiteral(password)}`,
    )
    for (const db of databases)
      await client.query(
        `grant connect on database ${client.escapeIdentifier(db.name)} to ${client.escapeIdentifier(role)}`,
      )
    await client.query('commit')
  })
  return {
    role,
    service,
    urlOf(db) {
      const url = new URL(db.url)
      url.username = role
      url.password = password
      return url.toString()
    },
  }
}
