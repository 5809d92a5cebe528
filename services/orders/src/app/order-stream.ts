import type { Emit, Logger, Tx } from '@microshop/chassis'
import { OrdersErrors } from '../domain/errors.js'
import { evolve, foldOrder, type Order, type OrderEvent, type RecordedEvent } from '../domain/order.js'
import { eventStore, StreamConflict } from '../store/event-store.js'
import { projectEvent } from '../store/read-model.js'

export interface StreamChange {
  before: Order | undefined
  after: Order | undefined
  appended: RecordedEvent[]
}

/** Decides the events to append from the order as it is now; may throw to refuse (commands do). */
export type Decide = (order: Order | undefined) => OrderEvent[] | Promise<OrderEvent[]>

/** One recorded event with the order before and after it: the domain event orders emits. */
export interface AppliedEvent {
  before: Order | undefined
  event: RecordedEvent
  after: Order
}

/** Applies recorded events: read models and outbox, in the transaction that appended them. */
export async function publishAppended(
  tx: Tx,
  emit: Emit<AppliedEvent>,
  before: Order | undefined,
  appended: RecordedEvent[],
) {
  let state = before
  const applied: AppliedEvent[] = []
  for (const event of appended) {
    const next = evolve(state, event)
    await projectEvent(tx, state, event, next)
    applied.push({ before: state, event, after: next })
    state = next
  }
  await emit(tx, applied)
  return state
}

/**
 * Changes one order inside tx: load its stream, decide, append at the version it was read at. When another
 * writer got there first, the stream is read again and the decision made once more; a second conflict gives up
 * with ABORTED ORDERS_CONCURRENT_UPDATE (retryable).
 */
export function createOrderStream(deps: { emit: Emit<AppliedEvent>; log: Logger }) {
  return {
    async change(tx: Tx, orderId: string, decide: Decide): Promise<StreamChange> {
      for (let attempt = 1; ; attempt++) {
        const before = foldOrder(await eventStore.load(tx, orderId))
        const events = await decide(before)
        if (events.length === 0) return { before, after: before, appended: [] }
        let appended: RecordedEvent[]
        try {
          appended = await eventStore.append(tx, orderId, before?.version ?? 0, events)
        } catch (err) {
          // a conflict leaves tx as it was: no savepoint is needed to decide again
          if (!(err instanceof StreamConflict)) throw err
          if (attempt >= 2) throw OrdersErrors.concurrentUpdate()
          continue
        }
        const after = await publishAppended(tx, deps.emit, before, appended)
        // one line per change, inside the span of the work that made it: the order's trace reads as its story
        deps.log.info(
          { orderId, status: after?.status, events: appended.map((e) => e.type) },
          'order changed',
        )
        return { before, after, appended }
      }
    },
  }
}

export type OrderStream = ReturnType<typeof createOrderStream>
