import {
  type Clock,
  type Db,
  type Logger,
  SpanKind,
  type Telemetry,
  type TimerSpec,
} from '@microshop/chassis'
import { retryDelayMs } from '../domain/send-retry.js'
import type { MessageStore } from '../store/message-store.js'
import type { MailTransport } from './mail-transport.js'

/**
 * Delivers pending emails, one transaction per email: marked sent only after SMTP took it, so a crash
 * never loses one (it may send it twice, with the same Message-ID). Without a transport, emails are
 * marked sent with a log line. Replicas share the work with `skip locked`. Each run sends one email and
 * runs again at once while it sent one; a failure ends the round (the server is likely down, and the
 * next tries wait their turn). Wake it when new emails are stored.
 */
export function createMailSender(deps: {
  db: Db
  store: MessageStore
  transport: MailTransport | undefined
  intervalMs: number
  retry: { baseMs: number; maxMs: number }
  log: Logger
  clock: Clock
  telemetry: Telemetry
}): TimerSpec {
  const { db, store, transport, log, clock, telemetry } = deps

  /** Sends the next due email: 'sent', 'failed' (SMTP refused or is down) or 'idle'. */
  const sendNext = () =>
    db.tx(async (tx) => {
      const message = await store.lockNextDue(tx, clock())
      if (!message) return 'idle' as const
      if (!transport) {
        await store.markSent(tx, message.id, clock())
        log.info(
          { messageId: message.smtpMessageId, to: message.recipient, subject: message.subject },
          'SMTP_URL not set: email stored and marked sent, not delivered',
        )
        return 'sent' as const
      }
      try {
        await telemetry.span(
          'smtp send',
          {
            kind: SpanKind.CLIENT,
            parent: message.traceparent,
            attributes: {
              'network.protocol.name': 'smtp',
              'messaging.message.id': message.smtpMessageId ?? '',
              ...(message.orderId ? { 'order.id': message.orderId } : {}),
            },
          },
          async () => {
            await transport.send({
              messageId: message.smtpMessageId ?? '',
              to: message.recipient,
              subject: message.subject,
              text: message.body,
              eventId: message.eventId,
            })
            // inside the send's span: the line joins the order's trace
            log.info({ messageId: message.smtpMessageId, to: message.recipient }, 'email sent')
          },
        )
      } catch (err) {
        const attempts = message.attempts + 1
        const delay = retryDelayMs(attempts, deps.retry.baseMs, deps.retry.maxMs)
        await store.markRetry(tx, message.id, (err as Error).message, new Date(clock().getTime() + delay))
        log.warn(
          { err, messageId: message.smtpMessageId, attempts, retryInMs: delay },
          'email not sent; will retry',
        )
        return 'failed' as const
      }
      await store.markSent(tx, message.id, clock())
      return 'sent' as const
    })

  return {
    name: 'mail-sender',
    intervalMs: deps.intervalMs,
    runAtStart: true,
    run: async () => {
      const outcome = await sendNext()
      return outcome === 'sent' ? 'again' : outcome === 'idle' ? 'idle' : undefined
    },
  }
}
