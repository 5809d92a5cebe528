import { randomUUID } from 'node:crypto'
import { activeTraceparent, type Queryable, type Tx } from '@microshop/chassis'
import { messageIdFor } from '../domain/message-id.js'
import { type Notice, orderIdOf } from '../domain/notice.js'
import { render } from '../domain/templates.js'
import type { MessageStore, NewMessage } from '../store/message-store.js'

/** The event a notice comes from: its id makes the message unique and names the mail. */
export interface Cause {
  eventId: string
  eventType: string
}

/** Turns notices into stored messages, in the transaction that records the event as handled. */
export function createNotifier(deps: { store: MessageStore; shopUrl: string; mailDomain: string }) {
  const { store, shopUrl, mailDomain } = deps
  return {
    /** Stores the notice's messages: emails pending for the sender, SMS kept as they are; returns how many were new. */
    async record(tx: Tx, cause: Cause, notice: Notice): Promise<number> {
      // the consumer's span: the email's send continues the trace of the order it tells of
      const traceparent = activeTraceparent()
      const messages = render(notice, { url: shopUrl }).map(
        (draft): NewMessage => ({
          id: randomUUID(),
          eventId: cause.eventId,
          eventType: cause.eventType,
          channel: draft.channel,
          userId: notice.userId,
          orderId: orderIdOf(notice),
          recipient: draft.to,
          subject: draft.subject,
          body: draft.body,
          smtpMessageId:
            draft.channel === 'email' ? messageIdFor(cause.eventId, 'email', mailDomain) : undefined,
          status: draft.channel === 'sms' ? 'stored' : draft.to ? 'pending' : 'failed',
          sentAt: null,
          traceparent,
        }),
      )
      return store.insert(tx, messages)
    },

    rememberPhone: (tx: Tx, orderId: string, phone: string) =>
      phone ? store.rememberPhone(tx, orderId, phone) : Promise.resolve(),
    phoneOf: (q: Queryable, orderId: string) => store.phoneOf(q, orderId),
  }
}

export type Notifier = ReturnType<typeof createNotifier>
