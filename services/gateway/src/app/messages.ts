import type { ServiceClient } from '@microshop/chassis'
import {
  Channel,
  type Message,
  type NotificationsServiceService,
} from '@microshop/contracts/notifications/v1/notifications'

export const MAX_MESSAGES_PAGE_SIZE = 100

const messageView = (m: Message) => ({
  id: m.id,
  channel: m.channel === Channel.CHANNEL_SMS ? 'sms' : 'email',
  to: m.to,
  subject: m.subject,
  body: m.body,
  eventType: m.eventType,
  orderId: m.orderId || undefined,
  sentAt: m.sentAt,
})

/** The caller's emails and SMS, newest first (notifications scopes them to the caller's token). */
export function createMessages(notifications: ServiceClient<typeof NotificationsServiceService>) {
  return {
    async list(query: { pageSize?: number; pageToken?: string; orderId?: string }) {
      const r = await notifications.call('listMessages', {
        page: {
          pageSize: Math.min(query.pageSize ?? 20, MAX_MESSAGES_PAGE_SIZE),
          pageToken: query.pageToken ?? '',
        },
        userId: '',
        orderId: query.orderId ?? '',
      })
      return {
        items: r.messages.map(messageView),
        ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}),
      }
    },
  }
}

export type Messages = ReturnType<typeof createMessages>
