import type { Queryable, Tx } from '@microshop/chassis'
import type { OrderEvent, RecordedEvent } from '../domain/order.js'

/** Another writer appended to the stream since it was read. */
export class StreamConflict extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
  ) {
    super(`stream ${streamId} moved past version ${expectedVersion}`)
    this.name = 'StreamConflict'
  }
}

interface EventRowData {
  stream_id: string
  version: number
  type: OrderEvent['type']
  data: OrderEvent['data']
  recorded_at: Date
}

const toRecorded = (r: EventRowData) =>
  ({
    type: r.type,
    data: r.data,
    version: r.version,
    recordedAt: r.recorded_at.toISOString(),
  }) as RecordedEvent

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const isOrderId = (id: string) => UUID.test(id)

/** The order event store: streams of events keyed by order id. */
export const eventStore = {
  /** The stream's events in order; empty for an unknown (or malformed) id. */
  async load(q: Queryable, streamId: string): Promise<RecordedEvent[]> {
    if (!isOrderId(streamId)) return []
    const { rows } = await q.query<EventRowData>(
      'select stream_id, version, type, data, recorded_at from order_events where stream_id = $1 order by version',
      [streamId],
    )
    return rows.map(toRecorded)
  },

  /**
   * Appends events after expectedVersion; throws StreamConflict when that version is taken, with nothing of
   * this append left in tx. A taken version does not fail the statement (that would abort tx and need a
   * savepoint, two more round trips on every change): its row is skipped, and the rows that did go in after
   * it are taken out again.
   */
  async append(tx: Tx, streamId: string, expectedVersion: number, events: readonly OrderEvent[]) {
    const { rows } = await tx.query<EventRowData>(
      `insert into order_events (stream_id, version, type, data)
       select $1, $2 + e.ord, e.type, e.data from unnest($3::text[], $4::jsonb[]) with ordinality as e(type, data, ord)
       on conflict (stream_id, version) do nothing
       returning stream_id, version, type, data, recorded_at`,
      [streamId, expectedVersion, events.map((e) => e.type), events.map((e) => JSON.stringify(e.data))],
    )
    if (rows.length < events.length) {
      if (rows.length > 0)
        await tx.query('delete from order_events where stream_id = $1 and version = any($2::int[])', [
          streamId,
          rows.map((r) => r.version),
        ])
      throw new StreamConflict(streamId, expectedVersion)
    }
    return rows.sort((a, b) => a.version - b.version).map(toRecorded)
  },

  /** Every stream, one after another, in batches: what a rebuild replays. */
  async *readAll(
    q: Queryable,
    batchSize = 1_000,
  ): AsyncGenerator<{ streamId: string; event: RecordedEvent }> {
    let after = { stream: '00000000-0000-0000-0000-000000000000', version: 0 }
    for (;;) {
      const { rows } = await q.query<EventRowData>(
        `select stream_id, version, type, data, recorded_at from order_events
          where (stream_id, version) > ($1::uuid, $2::int) order by stream_id, version limit $3`,
        [after.stream, after.version, batchSize],
      )
      for (const row of rows) yield { streamId: row.stream_id, event: toRecorded(row) }
      if (rows.length < batchSize) return
      const last = rows[rows.length - 1]!
      after = { stream: last.stream_id, version: last.version }
    }
  },

  async recordIgnored(tx: Tx, ignored: { eventId: string; orderId: string; type: string; reason: string }) {
    await tx.query(
      'insert into ignored_reactions (event_id, order_id, type, reason) values ($1, $2, $3, $4) on conflict do nothing',
      [ignored.eventId, ignored.orderId, ignored.type, ignored.reason],
    )
  },
}
