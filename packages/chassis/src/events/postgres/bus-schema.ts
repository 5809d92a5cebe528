import type pg from 'pg'
import { ensureSchema, keepsSchemaOf } from '../../db.js'
import { advisoryLocks } from '../../locks.js'
import { EVENT_COLUMNS_DDL } from '../event-row.js'

export { PARTITIONS } from '../event-bus.js'
export const EVENTS_CHANNEL = 'bus_events'

// advisory locks (bigint form) of the bus database; per-group locks use the two-int form (group id, n)
export const SCHEMA_LOCK = advisoryLocks.busSchema
export const APPEND_LOCK = advisoryLocks.busAppend
export const PRUNE_LOCK = advisoryLocks.busPrune
/** Second key of a group member's lock: a member holds (group id, MEMBER_SLOT_BASE + slot) while it lives. */
export const MEMBER_SLOT_BASE = 1_000

// each statement is idempotent: a newer version adds statements, never edits one
const SCHEMA = [
  'create sequence if not exists bus_event_seq',
  `create table if not exists bus_events (
    seq bigint primary key,
    partition smallint not null,
    ${EVENT_COLUMNS_DDL},
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
    ${EVENT_COLUMNS_DDL.replace('id text', 'event_id text')},
    error text not null,
    attempts int not null,
    failed_at timestamptz not null default now())`,
  'create unique index if not exists bus_dead_letters_position on bus_dead_letters (group_id, position)',
  // attempts started on events not yet committed; a row outlives a consumer that died inside the handler
  `create table if not exists bus_attempts (
    group_id int not null references bus_groups (id) on delete cascade,
    partition smallint not null,
    position bigint not null,
    attempts int not null,
    primary key (group_id, partition, position))`,
]

/**
 * Creates the bus tables when they are missing; processes that start together take turns. A role that is not
 * their owner (a service's own, see access.ts) leaves them to the owner, who provisions them.
 */
export async function ensureBusSchema(pool: pg.Pool): Promise<void> {
  if (await keepsSchemaOf(pool, 'bus_events')) await ensureSchema(pool, SCHEMA_LOCK, SCHEMA)
}
