import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { CliError } from '../cli-error.js'
import { type Command, dataDirOption, parseFlags, resolveDataDir } from '../command.js'
import { isAlive } from '../processes.js'
import { BUS } from '../provision.js'
import { readSecrets } from '../secrets.js'
import { readState } from '../state.js'
import { loadTopology, repoRoot } from '../topology.js'
import { crossChecks } from './audit-cross.js'
import type { Connect, ReadLog, Violation } from './audit-types.js'

/**
 * Each service states its own invariants as SQL in `src/store/audit.sql`: statements that return the
 * violating rows as (check, ids, detail) — no rows, no violation. `current_setting('microshop.saga_limit_seconds')`
 * is how old an order may be and still be in flight.
 */
export function auditStatements(sqlFile: string): { name: string; sql: string }[] {
  return readFileSync(sqlFile, 'utf8')
    .split(/;\s*(?:\n|$)/)
    .filter((sql) => sql.replace(/^\s*--.*$/gm, '').trim() !== '')
    .map((sql) => {
      // the statement's name: its `-- check:` line, else its last comment line before the SQL
      const comments = [...sql.matchAll(/^\s*--\s*(.*)$/gm)].map((m) => m[1]!.trim())
      const named = comments
        .find((c) => c.startsWith('check:'))
        ?.slice('check:'.length)
        .trim()
      return { name: named ?? comments.at(-1) ?? 'invariants', sql }
    })
}

/** A violating row as (check, ids, detail): `check` or `violation` names it, `ids` or the `*_id` columns point at it. */
function asViolation(service: string, row: Record<string, unknown>): Violation {
  const ids =
    row.ids ??
    Object.entries(row)
      .filter(([key, value]) => key.endsWith('_id') && value !== null && value !== '')
      .map(([key, value]) => `${key}=${value}`)
      .join(' ')
  return {
    check: `${service}: ${row.check ?? row.violation}`,
    ids: String(ids),
    detail: String(row.detail ?? ''),
  }
}

export async function runAudit(
  connect: Connect,
  services: string[],
  sagaLimitSeconds: number,
  readLog?: ReadLog,
) {
  const violations: Violation[] = []
  const passed: string[] = []
  for (const service of services) {
    const file = ['audit.sql', 'invariants.sql']
      .map((name) => join(repoRoot, 'services', service, 'src', 'store', name))
      .find((f) => existsSync(f))
    if (!file) continue
    const db = await connect(service)
    try {
      await db.query(`select set_config('microshop.saga_limit_seconds', $1, false)`, [
        String(sagaLimitSeconds),
      ])
      for (const { name, sql } of auditStatements(file)) {
        const { rows } = await db.query<Record<string, unknown>>(sql)
        violations.push(...rows.map((r) => asViolation(service, r)))
        if (rows.length === 0) passed.push(`${service}: ${name}`)
      }
    } finally {
      await db.end()
    }
  }
  for (const check of crossChecks) {
    const found = await check.run(connect, services, sagaLimitSeconds, readLog)
    if (found === undefined) continue
    violations.push(...found)
    if (found.length === 0) passed.push(check.name)
  }
  return { violations, passed }
}

/** A connection whose every transaction is read-only: the audit can look, never touch. */
async function readOnlyClient(config: pg.ClientConfig) {
  const client = new pg.Client({ ...config, options: '-c default_transaction_read_only=on' })
  await client.connect()
  return client
}

/** `--database orders=orders_eu`: the database of a service whose name is not the service's own. */
function databaseNames(specs: readonly string[]): Map<string, string> {
  const names = new Map<string, string>()
  for (const spec of specs) {
    const match = /^([a-z][a-z0-9-]*)=([^=\s]+)$/.exec(spec)
    if (!match)
      throw new CliError(`bad --database "${spec}": expected service=database, e.g. orders=orders`, 2)
    names.set(match[1]!, match[2]!)
  }
  return names
}

/** Read-only connections to a PostgreSQL server given by URL (production: the databases the init script made). */
function serverConnect(serverUrl: string, names: Map<string, string>): Connect {
  let url: URL
  try {
    url = new URL(serverUrl)
  } catch {
    throw new CliError(`--postgres: not a URL: ${serverUrl}`, 2)
  }
  return async (database) => {
    const target = new URL(url)
    target.pathname = `/${names.get(database) ?? database}`
    return readOnlyClient({ connectionString: target.toString() })
  }
}

/** The log in a PostgreSQL database (the launcher's `bus`, or a deployed one's); undefined when it is not there. */
const postgresLog =
  (connect: () => Promise<pg.Client>): ReadLog =>
  async (types) => {
    const bus = await connect()
    return bus
      .query<{ id: string; type: string }>('select id, type from bus_events where type = any($1)', [types])
      .then((r) => r.rows)
      .catch(() => undefined)
      .finally(() => bus.end())
  }

/** `--bus`: a deployed system's BUS_URL, NATS or PostgreSQL. */
function logAt(busUrl: string): ReadLog {
  if (busUrl.startsWith('nats://'))
    return async (types) => (await import('@microshop/chassis/internal')).readNatsLog(busUrl, types)
  if (/^postgres(ql)?:\/\//.test(busUrl))
    return postgresLog(() => readOnlyClient({ connectionString: busUrl }))
  throw new CliError(`--bus ${busUrl}: expected a nats:// or postgres:// URL, as the services' BUS_URL`, 2)
}

/** Read-only connections to the launcher's embedded PostgreSQL, as its superuser. */
function launcherConnect(dataDirFlag: string | undefined): Connect {
  const dataDir = resolveDataDir(dataDirFlag)
  const state = readState(dataDir)
  const secrets = readSecrets(dataDir)
  if (!state || !secrets || !isAlive(state.launcherPid))
    throw new CliError(
      'microshop is not running here: start it (`npm start`), pass --data-dir, or --postgres for a deployed system',
      1,
    )
  return (database) =>
    readOnlyClient({
      host: '127.0.0.1',
      port: state.pgPort,
      user: 'postgres',
      password: secrets.superuser,
      database,
    })
}

async function run(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    ...dataDirOption,
    'saga-limit-seconds': { type: 'string' },
    postgres: { type: 'string' },
    database: { type: 'string', multiple: true },
    bus: { type: 'string' },
  } as const)
  if (values.help) {
    process.stdout.write(`${audit.usage}\n`)
    return 0
  }
  const sagaLimit = Number(values['saga-limit-seconds'] ?? 960)
  if (!Number.isInteger(sagaLimit) || sagaLimit < 0)
    throw new CliError('--saga-limit-seconds must be a whole number', 2)
  // the superuser, or a role that may read every service's database
  const connect: Connect = values.postgres
    ? serverConnect(values.postgres, databaseNames(values.database ?? []))
    : launcherConnect(values['data-dir'])
  const services = loadTopology()
    .filter((s) => s.database)
    .map((s) => s.name)
  // the launcher's log is its `bus` database; a deployed system's is where its BUS_URL says (`--bus`)
  const readLog = values.bus
    ? logAt(values.bus)
    : values.postgres
      ? undefined
      : postgresLog(() => connect(BUS))
  const { violations, passed } = await runAudit(connect, services, sagaLimit, readLog)
  for (const name of passed) process.stdout.write(`ok    ${name}\n`)
  for (const v of violations)
    process.stdout.write(`FAIL  ${v.check}: ${v.ids}${v.detail ? ` — ${v.detail}` : ''}\n`)
  process.stdout.write(
    violations.length === 0
      ? `audit passed: ${passed.length} checks\n`
      : `audit failed: ${violations.length} violation${violations.length === 1 ? '' : 's'}\n`,
  )
  return violations.length === 0 ? 0 : 1
}

export const audit: Command = {
  summary: "check DESIGN's invariants across every service's database (read-only); exit 1 on any violation",
  usage: [
    'usage: microshop audit [--data-dir <dir>] [--saga-limit-seconds 960]',
    '       microshop audit --postgres postgres://<superuser>@<host>:5432 [--database <service>=<database>]... [--bus URL]',
    '  --postgres   a deployed system: its server, one database per service named after it (as',
    '               deploy/compose/postgres-init.sh makes them); --database names one that is not',
    '  --bus        its BUS_URL (nats://…?namespace=… or postgres://…), for the checks that read the event log',
  ].join('\n'),
  run,
}
