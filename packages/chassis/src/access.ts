import { events } from '@microshop/contracts/events'
import type pg from 'pg'
import { ensureSchema, inTransaction } from './db.js'
import { REGISTRY_DDL } from './discovery.js'
import { eventSource } from './events/cloud-event.js'
import { ensureBusSchema } from './events/postgres/bus-schema.js'
import { advisoryLocks } from './locks.js'

/** A service's own login role on the shared databases (the bus, the registry). */
export interface ServiceRole {
  /** The PostgreSQL role the service logs in as. */
  role: string
  /** The service it is: the owner named in the contracts, the name it registers under. */
  service: string
}

/** What a service may prune of the event log: only what is past the default retention (7 days). */
const PRUNABLE_AFTER = '7 days'

const BUS_TABLES = ['bus_events', 'bus_groups', 'bus_positions', 'bus_attempts', 'bus_dead_letters']

/** The CloudEvents types a service owns, as the contracts declare them. */
export const ownedEventTypes = (service: string): string[] =>
  Object.values(events)
    .filter((e) => e.owner === service)
    .map((e) => e.type)
    .sort()

const policyName = (what: string, role: string) => `${what} ${role}`

const id = (name: string) => `"${name.replaceAll('"', '""')}"`
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`

/**
 * Creates the bus tables when missing, then row-level security on them, run by their owner on the bus
 * database (the owner and superusers bypass it; DDL stays theirs): every role
 * reads the log; a service's role appends only events of the types it owns with its own source, or redrives
 * to its own groups; it works only in its consumer groups (named after it: `orders`, `orders-…`) and their
 * positions, attempts and dead letters; it prunes only events past the retention. Idempotent.
 */
export async function secureBus(pool: pg.Pool, roles: readonly ServiceRole[]): Promise<void> {
  await ensureBusSchema(pool)
  const statements: string[] = [
    ...BUS_TABLES.map((t) => `alter table ${t} enable row level security`),
    'drop policy if exists "everyone reads the log" on bus_events',
    'create policy "everyone reads the log" on bus_events for select using (true)',
    'drop policy if exists "prune past the retention" on bus_events',
    `create policy "prune past the retention" on bus_events for delete
       using (appended_at < now() - interval ${literal(PRUNABLE_AFTER)})`,
    // bus_groups is filtered by each role's own policy: its groups are the only ones these subqueries see
    ...['bus_positions', 'bus_attempts', 'bus_dead_letters'].flatMap((t) => [
      `drop policy if exists "own groups only" on ${t}`,
      `create policy "own groups only" on ${t}
         using (group_id in (select id from bus_groups)) with check (group_id in (select id from bus_groups))`,
    ]),
  ]
  for (const { role, service } of roles) {
    const types = ownedEventTypes(service).map(literal).join(', ')
    const groupOf = `(name = ${literal(service)} or starts_with(name, ${literal(`${service}-`)}))`
    statements.push(
      `grant select, insert, delete on bus_events to ${id(role)}`,
      `grant usage on sequence bus_event_seq to ${id(role)}`,
      `grant select, insert, delete on bus_groups to ${id(role)}`,
      `grant select, insert, update on bus_positions to ${id(role)}`,
      `grant select, insert, update, delete on bus_attempts, bus_dead_letters to ${id(role)}`,
      `drop policy if exists ${id(policyName('publish', role))} on bus_events`,
      `create policy ${id(policyName('publish', role))} on bus_events for insert to ${id(role)} with check (
         case when target_group is null
              then source = ${literal(eventSource(service))} and type = any(array[${types}]::text[])
              else target_group in (select id from bus_groups) end)`,
      `drop policy if exists ${id(policyName('groups', role))} on bus_groups`,
      `create policy ${id(policyName('groups', role))} on bus_groups to ${id(role)}
         using ${groupOf} with check ${groupOf}`,
    )
  }
  await inTransaction(pool, async (client) => {
    for (const statement of statements) await client.query(statement)
  })
}

/**
 * Creates the registry table when missing, then row-level security on it, run by its owner: every role reads every instance (that is discovery);
 * a service's role inserts, updates and deletes only rows of its own service. Idempotent.
 */
export async function secureRegistry(pool: pg.Pool, roles: readonly ServiceRole[]): Promise<void> {
  await ensureSchema(pool, advisoryLocks.registry, [REGISTRY_DDL])
  const statements = [
    'alter table service_instances enable row level security',
    'drop policy if exists "everyone discovers" on service_instances',
    'create policy "everyone discovers" on service_instances for select using (true)',
  ]
  for (const { role, service } of roles) {
    statements.push(
      `grant select, insert, update, delete on service_instances to ${id(role)}`,
      `drop policy if exists ${id(policyName('register', role))} on service_instances`,
      `create policy ${id(policyName('register', role))} on service_instances to ${id(role)}
         using (service = ${literal(service)}) with check (service = ${literal(service)})`,
    )
  }
  await inTransaction(pool, async (client) => {
    for (const statement of statements) await client.query(statement)
  })
}
