import { REGISTRY_DDL, withConnection } from '@microshop/chassis/registry'
import type { Postgres } from './postgres.js'
import type { Secrets } from './secrets.js'

/** The role and database holding the service registry. */
export const PLATFORM = 'platform'
/** The role and database of the local event log (the postgres adapter creates its own tables). */
export const BUS = 'bus'

/**
 * Creates, idempotently, one role and one database owned by it per name; only that role may connect
 * to that database. Then creates the registry table (the chassis's own DDL, so `status` works before any
 * service ran) and clears rows left by a previous run.
 */
export async function provision(postgres: Postgres, secrets: Secrets, databases: readonly string[]) {
  const names = [PLATFORM, BUS, ...databases]
  await withConnection(postgres.url('postgres', secrets.superuser, 'postgres'), async (db) => {
    for (const name of names) {
      const role = db.escapeIdentifier(name)
      const password = db.escapeLiteral(secrets.roles[name] ?? '')
      const { rowCount: hasRole } = await db.query('select 1 from pg_roles where rolname = $1', [name])
      // ALTER on every start keeps the role in step with secrets.json
      await db.query(`${hasRole ? 'alter' : 'create'} role ${role} with login password ${password}`)
      const { rowCount: hasDb } = await db.query('select 1 from pg_database where datname = $1', [name])
      if (!hasDb) await db.query(`create database ${role} owner ${role}`)
      await db.query(`revoke connect, temporary on database ${role} from public`)
      await db.query(`grant connect, temporary on database ${role} to ${role}`)
    }
    await db.query('revoke connect, temporary on database postgres, template1 from public')
  })
  await withConnection(postgres.url(PLATFORM, secrets.roles[PLATFORM] ?? '', PLATFORM), async (db) => {
    await db.query(REGISTRY_DDL)
    await db.query('delete from service_instances')
  })
}
