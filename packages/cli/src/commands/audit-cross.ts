import { events } from '@microshop/contracts/events'
import type { Connect, ReadLog, Violation } from './audit-types.js'

/** An invariant that spans databases; undefined when the databases it needs are not in this system. */
export interface CrossCheck {
  name: string
  /** sagaLimitSeconds: how old an order may be and still be in flight; readLog: the event log, where it can be read. */
  run(
    connect: Connect,
    databases: string[],
    sagaLimitSeconds: number,
    readLog?: ReadLog,
  ): Promise<Violation[] | undefined>
}

// every one of these events makes exactly one email (an OrderShipped makes an SMS too)
const NOTIFYING = [
  events.UserRegistered,
  events.DuplicateSignUpAttempted,
  events.OrderConfirmed,
  events.OrderCancelled,
  events.PaymentFailed,
  events.OrderShipped,
  events.OrderDelivered,
].map((e) => e.type)

const exactlyOneEmailPerEvent: CrossCheck = {
  name: 'notifications: exactly one email per notifying event in the log',
  async run(connect, databases, _sagaLimitSeconds, readLog) {
    if (!databases.includes('notifications') || !readLog) return undefined
    const events = await readLog(NOTIFYING)
    if (!events) return undefined
    const notifications = await connect('notifications')
    const { rows } = await notifications
      .query<{ event_id: string; emails: number }>(
        `select event_id, count(*)::int as emails from messages where channel = 'email' group by event_id`,
      )
      .finally(() => notifications.end())
    const emails = new Map(rows.map((r) => [r.event_id, r.emails]))
    const violations: Violation[] = []
    for (const e of events) {
      const count = emails.get(e.id) ?? 0
      if (count !== 1)
        violations.push({
          check: 'one email per notifying event',
          ids: e.id,
          detail: `${e.type}: ${count} emails`,
        })
    }
    return violations
  },
}

/**
 * Orders and shipping tell one story: a SHIPPED or DELIVERED order has its parcels, a DELIVERED one has none
 * still on its way (it is delivered only after the last arrived), and a parcel of an order cancelled longer
 * ago than the saga limit was called off (or had already left). A parcel never belongs to an unknown order.
 */
const ordersAndParcelsAgree: CrossCheck = {
  name: 'orders and shipping: every shipped order has its parcels, every delivered one all of them arrived',
  async run(connect, databases, sagaLimitSeconds) {
    if (!databases.includes('orders') || !databases.includes('shipping')) return undefined
    // orders first: what it says then, shipping had already done (parcels are made, and arrive, before it hears)
    const orders = await connect('orders')
    const shipping = await connect('shipping').catch(async (err) => {
      await orders.end()
      throw err
    })
    try {
      const { rows: decided } = await orders.query<{ order_id: string; status: string; settled: boolean }>(
        `select order_id::text, status, updated_at < now() - make_interval(secs => $1) as settled
           from order_summaries where status in ('SHIPPED', 'DELIVERED', 'CANCELLED')`,
        [sagaLimitSeconds],
      )
      const { rows: parcels } = await shipping.query<{
        order_id: string
        parcels: number
        on_the_way: number
        waiting: number
      }>(
        `select order_id, count(*)::int as parcels,
                count(*) filter (where status in ('created', 'dispatched'))::int as on_the_way,
                count(*) filter (where status = 'created')::int as waiting
           from shipments group by order_id`,
      )
      const ofOrder = new Map(parcels.map((p) => [p.order_id, p]))
      const violations: Violation[] = []
      const violation = (check: string, ids: string, detail: string) =>
        violations.push({ check: `orders and shipping: ${check}`, ids, detail })
      for (const o of decided) {
        const p = ofOrder.get(o.order_id)
        if (o.status !== 'CANCELLED' && !p) violation('a shipped order without parcels', o.order_id, o.status)
        else if (o.status === 'DELIVERED' && p && p.on_the_way > 0)
          violation(
            'a delivered order with parcels on their way',
            o.order_id,
            `${p.on_the_way} of ${p.parcels}`,
          )
        else if (o.status === 'CANCELLED' && o.settled && p && p.waiting > 0)
          violation('a cancelled order’s parcels not called off', o.order_id, `${p.waiting} of ${p.parcels}`)
      }
      // the rest are CONFIRMED, or unknown: asked after shipping was read, so any order with parcels exists
      const seen = new Set(decided.map((o) => o.order_id))
      const rest = parcels.map((p) => p.order_id).filter((id) => !seen.has(id))
      const { rows: known } = await orders.query<{ order_id: string }>(
        'select order_id::text from order_summaries where order_id::text = any($1)',
        [rest],
      )
      const exists = new Set(known.map((o) => o.order_id))
      for (const id of rest)
        if (!exists.has(id)) violation('parcels of an order orders does not know', id, '')
      return violations
    } finally {
      await Promise.all([orders.end(), shipping.end()])
    }
  },
}

export const crossChecks: CrossCheck[] = [exactlyOneEmailPerEvent, ordersAndParcelsAgree]
