import type { Queryable, Tx } from '@microshop/chassis'
import type { Channel } from '../domain/notice.js'

export type MessageStatus = 'pending' | 'sent' | 'stored' | 'failed'

/** A stored email or SMS. */
export interface StoredMessage {
  seq: number
  id: string
  eventId: string
  eventType: string
  channel: Channel
  userId: string
  orderId: string
  recipient: string
  subject: string
  body: string
  smtpMessageId: string | undefined
  status: MessageStatus
  attempts: number
  createdAt: Date
  sentAt: Date | undefined
  /** The trace of the change the message tells of. */
  traceparent: string | undefined
}

export type NewMessage = Omit<StoredMessage, 'seq' | 'attempts' | 'createdAt' | 'sentAt'> & {
  sentAt: Date | null
}

interface MessageRow {
  seq: number
  id: string
  event_id: string
  event_type: string
  channel: Channel
  user_id: string
  order_id: string
  recipient: string
  subject: string
  body: string
  smtp_message_id: string | null
  status: MessageStatus
  attempts: number
  created_at: Date
  sent_at: Date | null
  traceparent: string | null
}

const fromRow = (r: MessageRow): StoredMessage => ({
  seq: r.seq,
  id: r.id,
  eventId: r.event_id,
  eventType: r.event_type,
  channel: r.channel,
  userId: r.user_id,
  orderId: r.order_id,
  recipient: r.recipient,
  subject: r.subject,
  body: r.body,
  smtpMessageId: r.smtp_message_id ?? undefined,
  status: r.status,
  attempts: r.attempts,
  createdAt: r.created_at,
  sentAt: r.sent_at ?? undefined,
  traceparent: r.traceparent ?? undefined,
})

/**
 * SQL for messages and order contacts. Each method runs where it is told, first argument: a read on the
 * pool or a transaction, a write (or a read that locks) in a transaction.
 */
export const messageStore = {
  /** Stores the messages an event makes; one already stored for the event and channel is kept as it is. */
  async insert(tx: Tx, messages: readonly NewMessage[]): Promise<number> {
    let inserted = 0
    for (const m of messages) {
      const { rowCount } = await tx.query(
        `insert into messages (id, event_id, event_type, channel, user_id, order_id, recipient, subject, body,
             smtp_message_id, status, next_attempt_at, sent_at, traceparent)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, case when $11 = 'pending' then now() end, $12, $13)
           on conflict (event_id, channel) do nothing`,
        [
          m.id,
          m.eventId,
          m.eventType,
          m.channel,
          m.userId,
          m.orderId,
          m.recipient,
          m.subject,
          m.body,
          m.smtpMessageId ?? null,
          m.status,
          m.sentAt,
          m.traceparent ?? null,
        ],
      )
      inserted += rowCount ?? 0
    }
    return inserted
  },

  /** Locks the oldest pending emails due by `now`, up to `limit`, oldest first, skipping those another sender holds. */
  async lockDue(tx: Tx, now: Date, limit: number): Promise<StoredMessage[]> {
    const { rows } = await tx.query<MessageRow>(
      `select * from messages where status = 'pending' and next_attempt_at <= $1
          order by next_attempt_at, seq limit $2 for update skip locked`,
      [now, limit],
    )
    return rows.map(fromRow)
  },

  async markSent(tx: Tx, ids: readonly string[], at: Date): Promise<void> {
    if (ids.length === 0) return
    await tx.query(
      `update messages set status = 'sent', sent_at = $2, attempts = attempts + 1, last_error = null,
           next_attempt_at = null where id = any($1::uuid[])`,
      [ids, at],
    )
  },

  async markRetry(tx: Tx, id: string, error: string, nextAttemptAt: Date): Promise<void> {
    await tx.query(
      'update messages set attempts = attempts + 1, last_error = $2, next_attempt_at = $3 where id = $1',
      [id, error.slice(0, 500), nextAttemptAt],
    )
  },

  /** Newest first, after the `beforeSeq` of the previous page. */
  async list(
    q: Queryable,
    filter: {
      userId: string | undefined
      orderId: string | undefined
      beforeSeq: number | undefined
      limit: number
    },
  ): Promise<StoredMessage[]> {
    const { rows } = await q.query<MessageRow>(
      `select * from messages
          where ($1::text is null or user_id = $1) and ($2::text is null or order_id = $2)
            and ($3::bigint is null or seq < $3)
          order by seq desc limit $4`,
      [filter.userId ?? null, filter.orderId ?? null, filter.beforeSeq ?? null, filter.limit],
    )
    return rows.map(fromRow)
  },

  async rememberPhone(tx: Tx, orderId: string, phone: string): Promise<void> {
    await tx.query(
      'insert into order_contacts (order_id, phone) values ($1, $2) on conflict (order_id) do update set phone = $2',
      [orderId, phone],
    )
  },

  async phoneOf(q: Queryable, orderId: string): Promise<string> {
    const { rows } = await q.query<{ phone: string }>(
      'select phone from order_contacts where order_id = $1',
      [orderId],
    )
    return rows[0]?.phone ?? ''
  },
}

export type MessageStore = typeof messageStore
