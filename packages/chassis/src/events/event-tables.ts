import type { Db } from '../db.js'

const TABLES_LOCK = 7_305_417_201

// each statement is idempotent: a newer version adds statements, never edits one
const SCHEMA = [
  `create table if not exists event_outbox (
    seq bigint generated always as identity primary key,
    id text not null unique,
    type text not null,
    source text not null,
    subject text not null,
    time text not null,
    datacontenttype text not null,
    traceparent text,
    extensions jsonb not null default '{}',
    data bytea not null,
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
export async function ensureEventTables(db: Db): Promise<void> {
  await db.tx(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [TABLES_LOCK])
    for (const statement of SCHEMA) await tx.query(statement)
  })
}
