import type { ServiceEvents } from '@microshop/chassis'
import { isKnownStatus, statusName } from '../app/order-status.js'
import type { OrderStreams } from '../app/order-streams.js'
import type { ResponseCache } from '../domain/response-cache.js'

type Listening = Pick<ServiceEvents, 'listen'>

/** A consumer group of this instance alone: every replica hears every event (transient: nothing to resume). */
const ownGroup = (prefix: string, instanceId: string) =>
  `${prefix}-${instanceId.toLowerCase().replace(/[^a-z0-9_-]+/g, '-')}`.slice(0, 63)

/** A product or price change drops every cached catalog read of this replica. */
export function consumeCatalogChanges(events: Listening, deps: { cache: ResponseCache; instanceId: string }) {
  const drop = async () => deps.cache.clear()
  return events.listen(
    ownGroup('gateway-cache', deps.instanceId),
    { ProductUpdated: drop, PriceChanged: drop },
    { transient: true },
  )
}

/** Each order status change goes to the live streams this replica serves of that order. */
export function consumeOrderStatusChanges(
  events: Listening,
  deps: { streams: OrderStreams; instanceId: string },
) {
  return events.listen(
    ownGroup('gateway-orders', deps.instanceId),
    {
      async OrderStatusChanged(change, { event }) {
        if (!isKnownStatus(change.status)) return
        deps.streams.publish({
          orderId: change.orderId || event.subject,
          status: statusName(change.status),
          reason: change.reason,
          at: change.at || event.time,
          version: change.version,
        })
      },
    },
    { transient: true },
  )
}
