import type { Logger, Tx } from '@microshop/chassis'
import { decideReaction, type Reaction } from '../domain/order.js'
import { eventStore } from '../store/event-store.js'
import type { OrderStream } from './order-stream.js'

export interface ReportedFact {
  eventId: string
  eventType: string
  orderId: string
  reaction: Reaction
}

/**
 * What the order does about another service's event, in the consumer's transaction: a fact that does not fit
 * the order's status (a payment for a cancelled order, a second delivery report) is recorded as ignored.
 */
export function createReactions(deps: { stream: OrderStream; log: Logger }) {
  return async function react(tx: Tx, fact: ReportedFact): Promise<void> {
    let ignored: string | undefined
    await deps.stream.change(tx, fact.orderId, (order) => {
      const decision = decideReaction(order, fact.reaction)
      if ('ignored' in decision) {
        ignored = decision.ignored
        return []
      }
      ignored = undefined
      return decision.events
    })
    if (ignored === undefined) return
    deps.log.info({ orderId: fact.orderId, type: fact.eventType, reason: ignored }, 'event ignored')
    await eventStore.recordIgnored(tx, {
      eventId: fact.eventId,
      orderId: fact.orderId,
      type: fact.eventType,
      reason: ignored,
    })
  }
}

export type React = ReturnType<typeof createReactions>
