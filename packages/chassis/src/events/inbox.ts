import type { Db, Queryable, Tx } from '../db.js'
import type { DeliveredEvent, EventHandler } from './event-bus.js'

/** A handler that changes the service's database, inside the transaction that records the event as handled. */
export type InboxHandler = (event: DeliveredEvent, tx: Tx) => Promise<void>

/**
 * Records in tx that the group handled the event; false when it already had (a redelivery): then the
 * effect must not happen again. Two deliveries at once take turns on the record.
 */
export async function recordInInbox(tx: Tx, group: string, eventId: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    'insert into event_inbox (consumer_group, event_id) values ($1, $2) on conflict do nothing',
    [group, eventId],
  )
  return rowCount !== 0
}

/** Runs the handler in one transaction with the record of the event id for the group (see recordInInbox). */
export function withInbox(db: Db, group: string, handler: InboxHandler): EventHandler {
  return (event) =>
    db.tx(async (tx) => {
      if (await recordInInbox(tx, group, event.id)) await handler(event, tx)
    })
}

/** Forgets which events the group handled: part of rebuilding its read model with a replay, in one transaction. */
export async function resetInbox(tx: Queryable, group: string): Promise<void> {
  await tx.query('delete from event_inbox where consumer_group = $1', [group])
}
