import type pg from 'pg'

export { PARTITIONS } from '../event-bus.js'
export const EVENTS_CHANNEL = 'bus_events'

// advisory locks (bigint form) of the bus database; per-group locks use the two-int form (group id, n)
export const SCHEMA_LOCK = 7_305_417_101
export const APPEND_LOCK = 7_305_417_102
export const PRUNE_LOCK = 7_305_417_103
/** Second key of a group member's lock: a member holds (group id, MEMBER_SLOT_BASE + slot) while it lives. */
export const MEMBER_SLOT_BASE = 1_000

// each statement is idempotent: a newer version adds statements, never edits one
const SCHEMA = [
  'create sequence if not exists bus_event_seq',
  `create table if not exists bus_events (
    seq bigint primary key,
    id text not null,
    partition smallint not null,
    type text not null,
    source text not null,
    subject text not null,
    time text not null,
    datacontenttype text not null,
    traceparent text,
    extensions jsonb not null default '{}',
    data bytea not null,
    target_group int,
    appended_at timestamptz not null default clock_timestamp())`,
  'create unique index if not exists bus_events_id on bus_events (id) where target_group is null',
  'create index if not exists bus_events_partition_seq on bus_events (partition, seq)',
  'create index if not exists bus_events_appended_at on bus_events (appended_at)',
  `create table if not exists bus_groups (
    id int generated always as identity primary key,
    name text not null unique,
    transient boolean not null default false,
    created_at timestamptz not null default now())`,
  `create table if not exists bus_positions (
    group_id int not null references bus_groups (id) on delete cascade,
    partition smallint not null,
    position bigint not null,
    primary key (group_id, partition))`,
  `create table if not exists bus_dead_letters (
    id bigint generated always as identity primary key,
    group_id int not null references bus_groups (id) on delete cascade,
    position bigint not null,
    partition smallint not null,
    event_id text not null,
    type text not null,
    source text not null,
    subject text not null,
    time text not null,
    datacontenttype text not null,
    traceparent text,
    extensions jsonb not null default '{}',
    data bytea not null,
    error text not null,
    attempts int not null,
    failed_at timestamptz not null default now())`,
  'create unique index if not exists bus_dead_letters_position on bus_dead_letters (group_id, position)',
]

/** Creates the bus tables when they are missing; processes that start together take turns. */
export async function ensureBusSchema(pool: pg.Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('begin')
    await client.query('select pg_advisory_xact_lock($1)', [SCHEMA_LOCK])
    for (const statement of SCHEMA) await client.query(statement)
    await client.query('commit')
  } catch (err) {
    await client.query('rollback').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}
