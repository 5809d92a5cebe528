import { asBuffer, type CloudEvent } from './cloud-event.js'

/** An event as the outbox and the Postgres log store it: one column per attribute. */
export interface EventRow {
  id: string
  type: string
  source: string
  subject: string
  time: string
  datacontenttype: string
  traceparent: string | null
  extensions: Record<string, string> | null
  data: Buffer
}

/** The columns of an EventRow, as every table that keeps events declares them. */
export const EVENT_COLUMNS_DDL = `id text not null,
    type text not null,
    source text not null,
    subject text not null,
    time text not null,
    datacontenttype text not null,
    traceparent text,
    extensions jsonb not null default '{}',
    data bytea not null`

/** The columns of an EventRow, in a select list. */
export const EVENT_COLUMNS = 'id, type, source, subject, time, datacontenttype, traceparent, extensions, data'

export const fromEventRow = (r: EventRow): CloudEvent => ({
  specversion: '1.0',
  id: r.id,
  source: r.source,
  type: r.type,
  subject: r.subject,
  time: r.time,
  datacontenttype: r.datacontenttype,
  data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength),
  ...(r.traceparent ? { traceparent: r.traceparent } : {}),
  extensions: r.extensions ?? {},
})

/** Column arrays for `insert … select … from unnest(…)`: one statement for a whole batch. */
export function eventColumnArrays(events: readonly CloudEvent[]) {
  return [
    events.map((e) => e.id),
    events.map((e) => e.type),
    events.map((e) => e.source),
    events.map((e) => e.subject),
    events.map((e) => e.time),
    events.map((e) => e.datacontenttype),
    events.map((e) => e.traceparent ?? null),
    events.map((e) => JSON.stringify(e.extensions)),
    events.map((e) => asBuffer(e.data)),
  ]
}

/** The unnest(…) that pairs with eventColumnArrays, its parameters numbered from `first`. */
export const unnestEventColumns = (first: number) =>
  `unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::text[], $${first + 3}::text[],
          $${first + 4}::text[], $${first + 5}::text[], $${first + 6}::text[], $${first + 7}::jsonb[],
          $${first + 8}::bytea[]) with ordinality
     as e(id, type, source, subject, time, datacontenttype, traceparent, extensions, data, ord)`
