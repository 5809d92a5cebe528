import { type DeployedService, databasesOf, GENERATED } from './plan.js'

/** The PostgreSQL image compose runs, and the Kubernetes provisioning Job takes psql from. */
export const POSTGRES_IMAGE = 'postgres:18-alpine'

/** The variable that holds the password of a database's role (compose's .env, the Job's Secret). */
export const passwordVariable = (database: string) => `${database.toUpperCase()}_DB_PASSWORD`

/**
 * The one provisioning script: a role and a database per service. PostgreSQL's image runs it on an empty data
 * dir (compose), the Kubernetes Job runs it against the server outside, a user may run it by hand with psql.
 * Safe to run again (a Job's retry): what exists is kept, and each role's password set anew.
 */
export function postgresInit(services: readonly DeployedService[]): string {
  const lines = [
    '#!/bin/sh',
    `# ${GENERATED}`,
    '# One role and one database per service, each role owning its database and only it; nobody else connects.',
    '# Safe to run again: what exists is kept, each role gets the password given now.',
    'set -eu',
    'create() {',
    '  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -v name="$1" -v password="$2" <<-\'SQL\'',
    "\tselect format('create role %I', :'name') where not exists (select from pg_roles where rolname = :'name') \\gexec",
    '\talter role :"name" login password :\'password\';',
    "\tselect format('create database %I owner %I', :'name', :'name') where not exists (select from pg_database where datname = :'name') \\gexec",
    '\trevoke all on database :"name" from public;',
    '\tSQL',
    '}',
    ...databasesOf(services).map((d) => `create ${d} "$${passwordVariable(d)}"`),
  ]
  return `${lines.join('\n')}\n`
}
