import type { Handlers } from '@microshop/chassis'
import {
  Channel as ChannelMessage,
  type Message,
  MessageStatus as MessageStatusMessage,
  type NotificationsServiceService,
} from '@microshop/contracts/notifications/v1/notifications'
import type { Mailbox } from '../app/mailbox.js'
import type { Channel } from '../domain/notice.js'
import type { MessageStatus, StoredMessage } from '../store/message-store.js'

const CHANNELS: Record<Channel, ChannelMessage> = {
  email: ChannelMessage.CHANNEL_EMAIL,
  sms: ChannelMessage.CHANNEL_SMS,
}

const STATUSES: Record<MessageStatus, MessageStatusMessage> = {
  pending: MessageStatusMessage.MESSAGE_STATUS_PENDING,
  sent: MessageStatusMessage.MESSAGE_STATUS_SENT,
  stored: MessageStatusMessage.MESSAGE_STATUS_STORED,
  failed: MessageStatusMessage.MESSAGE_STATUS_FAILED,
}

const toMessage = (m: StoredMessage): Message => ({
  id: m.id,
  userId: m.userId,
  channel: CHANNELS[m.channel],
  to: m.recipient,
  subject: m.subject,
  body: m.body,
  eventType: m.eventType,
  eventId: m.eventId,
  orderId: m.orderId,
  sentAt: m.sentAt?.toISOString() ?? '',
  smtpMessageId: m.smtpMessageId ?? '',
  createdAt: m.createdAt.toISOString(),
  status: STATUSES[m.status],
})

/** gRPC handlers: read the request, call the use case, shape the response. */
export function createNotificationsHandlers(mailbox: Mailbox): Handlers<typeof NotificationsServiceService> {
  return {
    async listMessages(req, ctx) {
      const caller = await ctx.requireCaller()
      const page = await mailbox.list(caller, {
        userId: req.userId,
        orderId: req.orderId,
        pageSize: req.page?.pageSize ?? 0,
        pageToken: req.page?.pageToken ?? '',
      })
      return { messages: page.messages.map(toMessage), nextPageToken: page.nextPageToken }
    },
  }
}
