import { events } from '@microshop/contracts/events'
import type { Connect, Violation } from './audit-types.js'

/** An invariant that spans databases; undefined when the databases it needs are not in this system. */
export interface CrossCheck {
  name: string
  run(connect: Connect, databases: string[]): Promise<Violation[] | undefined>
}

// every one of these events makes exactly one email (an OrderShipped makes an SMS too)
const NOTIFYING = [
  events.UserRegistered,
  events.OrderConfirmed,
  events.OrderCancelled,
  events.PaymentFailed,
  events.OrderShipped,
  events.OrderDelivered,
].map((e) => e.type)

const exactlyOneEmailPerEvent: CrossCheck = {
  name: 'notifications: exactly one email per notifying event in the log',
  async run(connect, databases) {
    if (!databases.includes('notifications') || !databases.includes('bus')) return undefined
    const bus = await connect('bus')
    const events = await bus
      .query<{ id: string; type: string }>('select id, type from bus_events where type = any($1)', [
        NOTIFYING,
      ])
      .catch(() => undefined)
      .finally(() => bus.end())
    // the log lives in NATS: nothing to compare against here
    if (!events) return undefined
    const notifications = await connect('notifications')
    const { rows } = await notifications
      .query<{ event_id: string; emails: number }>(
        `select event_id, count(*)::int as emails from messages where channel = 'email' group by event_id`,
      )
      .finally(() => notifications.end())
    const emails = new Map(rows.map((r) => [r.event_id, r.emails]))
    const violations: Violation[] = []
    for (const e of events.rows) {
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

export const crossChecks: CrossCheck[] = [exactlyOneEmailPerEvent]
