import type { Db, Queryable } from '../db.js'
import type { DeliveredEvent, EventHandler } from './event-bus.js'

/** A handler that changes the service's database, inside the transaction that records the event as handled. */
export type InboxHandler = (event: DeliveredEvent, tx: Queryable) => Promise<void>

/**
 * Runs the handler in one transaction with the record of the event id for the group: a redelivered
 * event is acknowledged without running the handler again. Two deliveries at once take turns on the record.
 */
export function withInbox(db: Db, group: string, handler: InboxHandler): EventHandler {
  return (event) =>
    db.tx(async (tx) => {
      const { rowCount } = await tx.query(
        'insert into event_inbox (consumer_group, event_id) values ($1, $2) on conflict do nothing',
        [group, event.id],
      )
      if (rowCount === 0) return
      await handler(event, tx)
    })
}

/** Forgets which events the group handled: part of rebuilding its read model with a replay, in one transaction. */
export async function resetInbox(tx: Queryable, group: string): Promise<void> {
  await tx.query('delete from event_inbox where consumer_group = $1', [group])
}
