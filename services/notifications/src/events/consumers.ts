import type { Delivery, ServiceEvents } from '@microshop/chassis'
import type { Notifier } from '../app/notifier.js'
import type { Notice } from '../domain/notice.js'

export const NOTIFYING_EVENTS_GROUP = 'notifications'

const money = (m: { amount: number; currency: string } | undefined) => ({
  amount: m?.amount ?? 0,
  currency: m?.currency || 'USD',
})

/**
 * Every notifying event makes its messages once: the inbox and the messages' unique event id are written
 * in one transaction; once it committed, `stored` wakes the sender to send the new emails at once.
 */
export function consumeNotifyingEvents(
  events: ServiceEvents,
  deps: { notifier: Notifier; stored: () => void },
) {
  const { notifier, stored } = deps

  const notify = async ({ tx, event }: Delivery, notice: Notice) => {
    await notifier.record(tx, { eventId: event.id, eventType: event.type }, notice)
    tx.afterCommit(stored)
  }

  return events.subscribe(
    NOTIFYING_EVENTS_GROUP,
    {
      UserRegistered: (e, delivery) =>
        notify(delivery, { kind: 'user_registered', userId: e.userId, email: e.email, name: e.name }),

      DuplicateSignUpAttempted: (e, delivery) =>
        notify(delivery, {
          kind: 'duplicate_sign_up',
          userId: e.userId,
          email: e.email,
          name: e.name,
          attemptedAt: e.attemptedAt,
        }),

      // the confirmation also leaves the phone for the SMS sent when the order ships
      async OrderConfirmed(e, delivery) {
        const address = e.shippingAddress
        await notifier.rememberPhone(delivery.tx, e.orderId, address?.phone ?? '')
        await notify(delivery, {
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
        })
      },

      OrderCancelled: (e, delivery) =>
        notify(delivery, {
          kind: 'order_cancelled',
          orderId: e.orderId,
          userId: e.userId,
          email: e.email,
          reason: e.reason,
        }),

      PaymentFailed: (e, delivery) =>
        notify(delivery, {
          kind: 'payment_failed',
          orderId: e.orderId,
          userId: e.userId,
          email: e.email,
          code: e.code,
          reason: e.reason,
        }),

      OrderShipped: async (e, delivery) =>
        notify(delivery, {
          kind: 'order_shipped',
          orderId: e.orderId,
          userId: e.userId,
          email: e.email,
          trackingNumber: e.trackingNumber,
          carrier: e.carrier,
          phone: await notifier.phoneOf(delivery.tx, e.orderId),
        }),

      OrderDelivered: (e, delivery) =>
        notify(delivery, {
          kind: 'order_delivered',
          orderId: e.orderId,
          userId: e.userId,
          email: e.email,
          trackingNumber: e.trackingNumber,
        }),
    },
    { concurrency: 8 },
  )
}
