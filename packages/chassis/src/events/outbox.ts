import type { Tx } from '../db.js'
import { activeTraceparent } from '../telemetry.js'
import { type CloudEvent, eventSource, type NewEvent, toCloudEvent } from './cloud-event.js'
import { eventColumnArrays, unnestEventColumns } from './event-row.js'
import type { EventSigner } from './event-signature.js'

export const OUTBOX_CHANNEL = 'event_outbox'

/** Where a service records the events of a change, in the transaction of the change. */
export interface Outbox {
  /** The CloudEvents source of this service's events. */
  readonly source: string
  /**
   * Records events in tx, the transaction that makes the change they describe; the relay publishes them
   * once it commits. Call it once per transaction, after the change.
   */
  append(tx: Tx, events: readonly NewEvent[]): Promise<void>
}

/**
 * The outbox of a service; with `sign`, each event is signed as it is raised, in the producing process, so
 * that the row, the relay's publish and any redrive carry the same signed bytes and no later hop can alter them.
 */
export function createOutbox(opts: { service: string; sign?: EventSigner | undefined }): Outbox {
  const source = eventSource(opts.service)
  const sign = opts.sign ?? ((e: CloudEvent) => e)
  return {
    source,
    async append(tx, events) {
      if (events.length === 0) return
      // each event carries the trace of the change that raised it: its consumers continue that trace
      const traceparent = activeTraceparent()
      const cloudEvents = events.map((e) => sign(toCloudEvent(source, { traceparent, ...e })))
      const subjects = [...new Set(cloudEvents.map((e) => e.subject))].sort()
      // until commit, other transactions wait to append to these subjects: the rows of a subject are
      // numbered in commit order whatever the caller locked, so the relay sends them in that order. One
      // statement: the locks (an InitPlan of the insert, taken in subject order) come before any row's number
      await tx.query(
        `with locked as materialized (
           select count(*) as n from (
             select pg_advisory_xact_lock(hashtextextended(s, 0)) from unnest($1::text[]) as s order by s) as l),
         appended as (
           insert into event_outbox (id, type, source, subject, time, datacontenttype, traceparent, extensions, data)
           select id, type, source, subject, time, datacontenttype, traceparent, extensions, data
             from ${unnestEventColumns(2)}
            where (select n from locked) > 0
            order by ord
           returning 1)
         select pg_notify('${OUTBOX_CHANNEL}', '') from (select count(*) from appended) as done`,
        [subjects, ...eventColumnArrays(cloudEvents)],
      )
    },
  }
}
