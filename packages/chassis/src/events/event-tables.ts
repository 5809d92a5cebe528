import { type Db, ensureSchema } from '../db.js'
import { advisoryLocks } from '../locks.js'
import { EVENT_COLUMNS_DDL } from './event-row.js'

// each statement is idempotent: a newer version adds statements, never edits one
const SCHEMA = [
  `create table if not exists event_outbox (
    seq bigint generated always as identity primary key,
    ${EVENT_COLUMNS_DDL.replace('id text not null', 'id text not null unique')},
    created_at timestamptz not null default now(),
    sent_at timestamptz)`,
  'create index if not exists event_outbox_unsent on event_outbox (seq) where sent_at is null',
  'create index if not exists event_outbox_sent_at on event_outbox (sent_at) where sent_at is not null',
  `create table if not exists event_inbox (
    consumer_group text not null,
    event_id text not null,
    handled_at timestamptz not null default now(),
    primary key (consumer_group, event_id))`,
  'create index if not exists event_inbox_handled_at on event_inbox (handled_at)',
]

/** Creates the outbox and inbox tables in a service's own database when they are missing. */
export const ensureEventTables = (db: Db) => ensureSchema(db.pool, advisoryLocks.eventTables, SCHEMA)
