import { type ServiceRole, secureBus, secureRegistry, withConnection } from '@microshop/chassis/registry'
import pg from 'pg'
import { CliError } from './cli-error.js'
import type { Postgres } from './postgres.js'
import type { Secrets } from './secrets.js'

/**
 * The role and database of the local event log and the service registry: the role owns the tables, services
 * get their share. One database for both, so an instance's registry heartbeats share its bus connections.
 */
export const BUS = 'bus'

/** What provisioning needs of a service: its name (its role's) and whether it keeps a database. */
export interface ProvisionedService {
  name: string
  database: boolean
}

// platform: the registry's database before it moved into the bus's; a data dir made then still has it
const RESERVED = new Set(['postgres', 'platform', BUS, 'public'])

/** Runs fn on a one-connection pool to url (the chassis's schema helpers take turns through a pool). */
async function withPool(url: string, fn: (pool: pg.Pool) => Promise<void>) {
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  try {
    await fn(pool)
  } finally {
    await pool.end()
  }
}

/**
 * Creates, idempotently, one login role per service (named after it) and the platform and bus roles, one
 * database per role that keeps one (owned by it, connectable by it alone), and lets every service's role
 * connect to the bus and the registry. Then, as their owners, creates the registry's and the bus's tables
 * and gives each service's role its share of them by row-level security (see the chassis's access.ts),
 * and clears registry rows left by a previous run.
 */
export async function provision(
  postgres: Postgres,
  secrets: Secrets,
  services: readonly ProvisionedService[],
) {
  for (const { name } of services)
    if (RESERVED.has(name) || name.startsWith('pg_'))
      throw new CliError(
        `a service cannot be named ${name}: its database role would clash with PostgreSQL's or the launcher's`,
      )
  const password = (role: string) => secrets.roles[role] ?? ''
  const databases = [BUS, ...services.filter((s) => s.database).map((s) => s.name)]
  await withConnection(postgres.url('postgres', secrets.superuser, 'postgres'), async (db) => {
    for (const name of [BUS, ...services.map((s) => s.name)]) {
      const role = db.escapeIdentifier(name)
      const { rowCount: hasRole } = await db.query('select 1 from pg_roles where rolname = $1', [name])
      // ALTER on every start keeps the role in step with secrets.json
      await db.query(
        `${hasRole ? 'alter' : 'create'} role ${role} with login password ${db.escapeLiteral(password(name))}`,
      )
    }
    for (const name of databases) {
      const database = db.escapeIdentifier(name)
      const { rowCount: hasDb } = await db.query('select 1 from pg_database where datname = $1', [name])
      if (!hasDb) await db.query(`create database ${database} owner ${database}`)
      await db.query(`revoke connect, temporary on database ${database} from public`)
      await db.query(`grant connect, temporary on database ${database} to ${database}`)
    }
    for (const { name } of services)
      await db.query(`grant connect on database ${db.escapeIdentifier(BUS)} to ${db.escapeIdentifier(name)}`)
    await db.query('revoke connect, temporary on database postgres, template1 from public')
  })
  const roles: ServiceRole[] = services.map((s) => ({ role: s.name, service: s.name }))
  await withPool(postgres.url(BUS, password(BUS), BUS), async (pool) => {
    await secureBus(pool, roles)
    await secureRegistry(pool, roles)
    await pool.query('delete from service_instances')
  })
}
