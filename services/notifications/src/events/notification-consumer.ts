import {
  type Db,
  type DeliveredEvent,
  defineEvent,
  type EventBus,
  type Queryable,
  withInbox,
} from '@microshop/chassis'
import { UserRegistered } from '@microshop/contracts/identity/v1/events'
import {
  OrderCancelled,
  OrderConfirmed,
  OrderDelivered,
  OrderShipped,
} from '@microshop/contracts/orders/v1/events'
import { PaymentFailed } from '@microshop/contracts/payments/v1/events'
import type { Notifier } from '../app/notifier.js'
import type { Notice } from '../domain/notice.js'

export const UserRegisteredEvent = defineEvent('identity.UserRegistered.v1', UserRegistered)
export const OrderConfirmedEvent = defineEvent('orders.OrderConfirmed.v1', OrderConfirmed)
export const OrderCancelledEvent = defineEvent('orders.OrderCancelled.v1', OrderCancelled)
export const OrderShippedEvent = defineEvent('orders.OrderShipped.v1', OrderShipped)
export const OrderDeliveredEvent = defineEvent('orders.OrderDelivered.v1', OrderDelivered)
export const PaymentFailedEvent = defineEvent('payments.PaymentFailed.v1', PaymentFailed)

const GROUP = 'notifications'
const money = (m: { amount: number; currency: string } | undefined) => ({
  amount: m?.amount ?? 0,
  currency: m?.currency || 'USD',
})

/** The notice a contract event stands for; an OrderConfirmed also leaves the phone for the SMS when it ships. */
async function noticeOf(event: DeliveredEvent, tx: Queryable, notifier: Notifier): Promise<Notice> {
  switch (event.type) {
    case UserRegisteredEvent.name: {
      const e = UserRegisteredEvent.decode(event)
      return { kind: 'user_registered', userId: e.userId, email: e.email, name: e.name }
    }
    case OrderConfirmedEvent.name: {
      const e = OrderConfirmedEvent.decode(event)
      const address = e.shippingAddress
      await notifier.rememberPhone(tx, e.orderId, address?.phone ?? '')
      return {
        kind: 'order_confirmed',
        orderId: e.orderId,
        userId: e.userId,
        email: e.email,
        lines: e.lines.map((l) => ({
          name: l.name || l.productId,
          quantity: l.quantity,
          lineTotal: money(l.lineTotal),
        })),
        total: money(e.total),
        shipTo: address && {
          name: address.name,
          line1: address.line1,
          city: address.city,
          postalCode: address.postalCode,
          country: address.country,
        },
      }
    }
    case OrderCancelledEvent.name: {
      const e = OrderCancelledEvent.decode(event)
      return {
        kind: 'order_cancelled',
        orderId: e.orderId,
        userId: e.userId,
        email: e.email,
        reason: e.reason,
      }
    }
    case PaymentFailedEvent.name: {
      const e = PaymentFailedEvent.decode(event)
      return {
        kind: 'payment_failed',
        orderId: e.orderId,
        userId: e.userId,
        email: e.email,
        code: e.code,
        reason: e.reason,
      }
    }
    case OrderShippedEvent.name: {
      const e = OrderShippedEvent.decode(event)
      return {
        kind: 'order_shipped',
        orderId: e.orderId,
        userId: e.userId,
        email: e.email,
        trackingNumber: e.trackingNumber,
        carrier: e.carrier,
        phone: await notifier.phoneOf(tx, e.orderId),
      }
    }
    case OrderDeliveredEvent.name: {
      const e = OrderDeliveredEvent.decode(event)
      return {
        kind: 'order_delivered',
        orderId: e.orderId,
        userId: e.userId,
        email: e.email,
        trackingNumber: e.trackingNumber,
      }
    }
    default:
      throw new Error(`notifications does not handle ${event.type}`)
  }
}

/**
 * Every notifying event makes its messages once: the inbox and the messages' unique event id are written
 * in one transaction. `stored` runs after the commit, to send the new emails at once.
 */
export function consumeNotifyingEvents(deps: {
  db: Db
  bus: EventBus
  notifier: Notifier
  stored: () => void
}) {
  const { db, bus, notifier, stored } = deps
  const handle = withInbox(db, GROUP, async (event, tx) => {
    await notifier.record(
      tx,
      { eventId: event.id, eventType: event.type },
      await noticeOf(event, tx, notifier),
    )
  })
  return bus.subscribe(
    GROUP,
    [
      UserRegisteredEvent,
      OrderConfirmedEvent,
      OrderCancelledEvent,
      PaymentFailedEvent,
      OrderShippedEvent,
      OrderDeliveredEvent,
    ],
    async (event) => {
      await handle(event)
      stored()
    },
    { concurrency: 8 },
  )
}
