import pg from 'pg'
import type { Postgres } from './postgres.js'
import type { Secrets } from './secrets.js'

/** The registry table, exactly as the chassis creates it, so `status` works before any service ran. */
export const REGISTRY_DDL = `create table if not exists service_instances (
  instance_id text primary key, service text not null, host text not null,
  grpc_port int, http_port int, public_port int, pid int not null,
  started_at timestamptz not null default now(), last_seen timestamptz not null default now())`

/** The role and database holding the service registry. */
export const PLATFORM = 'platform'
/** The role and database of the local event log (the postgres adapter creates its own tables). */
export const BUS = 'bus'

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/**
 * Creates, idempotently, one role and one database owned by it per name; only that role may connect
 * to that database. Then creates the registry table and clears rows left by a previous run.
 */
export async function provision(postgres: Postgres, secrets: Secrets, databases: readonly string[]) {
  const names = [PLATFORM, BUS, ...databases]
  await withClient(postgres.url('postgres', secrets.superuser, 'postgres'), async (db) => {
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
  await withClient(postgres.url(PLATFORM, secrets.roles[PLATFORM] ?? '', PLATFORM), async (db) => {
    await db.query(REGISTRY_DDL)
    await db.query('delete from service_instances')
  })
}
