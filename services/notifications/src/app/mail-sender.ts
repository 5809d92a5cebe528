import {
  type Clock,
  type Db,
  type Logger,
  SpanKind,
  type Telemetry,
  type TimerSpec,
} from '@microshop/chassis'
import { retryDelayMs } from '../domain/send-retry.js'
import type { MessageStore, StoredMessage } from '../store/message-store.js'
import type { MailTransport } from './mail-transport.js'

// emails sent in one transaction at most: a crash before its commit sends these again (same Message-ID)
const BATCH = 20

/**
 * Delivers pending emails, a batch of those due per transaction, one after the other: marked sent only after
 * SMTP took them, so a crash never loses one (it may send one twice, with the same Message-ID). Without a
 * transport, emails are marked sent with a log line. Replicas share the work with `skip locked`. A full
 * batch runs again at once; a shorter one took every email due, and the next is woken in when it is stored
 * (or found by the interval). A failure ends the round (the server is likely down, and the next tries wait
 * their turn); the emails sent before it in the batch are marked sent.
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

  /** Sends one email over SMTP, in a span of the trace that made it; throws when SMTP did not take it. */
  const sendOne = (message: StoredMessage, via: MailTransport) =>
    telemetry.span(
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
        await via.send({
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

  /** Sends the emails due: 'full' (a whole batch went: there may be more), 'sent', 'failed' or 'idle'. */
  const sendDue = (signal: AbortSignal) =>
    db.tx(async (tx) => {
      const due = await store.lockDue(tx, clock(), BATCH)
      if (due.length === 0) return 'idle' as const
      const sent: string[] = []
      let failed = false
      for (const message of due) {
        // a stopping service sends no more: the rest of the batch stays pending, what went is marked
        if (signal.aborted) break
        if (!transport) {
          log.info(
            { messageId: message.smtpMessageId, to: message.recipient, subject: message.subject },
            'SMTP_URL not set: email stored and marked sent, not delivered',
          )
          sent.push(message.id)
          continue
        }
        try {
          await sendOne(message, transport)
          sent.push(message.id)
        } catch (err) {
          const attempts = message.attempts + 1
          const delay = retryDelayMs(attempts, deps.retry.baseMs, deps.retry.maxMs)
          await store.markRetry(tx, message.id, (err as Error).message, new Date(clock().getTime() + delay))
          log.warn(
            { err, messageId: message.smtpMessageId, attempts, retryInMs: delay },
            'email not sent; will retry',
          )
          failed = true
          break
        }
      }
      await store.markSent(tx, sent, clock())
      if (failed) return 'failed' as const
      return due.length === BATCH && !signal.aborted ? ('full' as const) : ('sent' as const)
    })

  return {
    name: 'mail-sender',
    intervalMs: deps.intervalMs,
    runAtStart: true,
    run: async (signal) => {
      const outcome = await sendDue(signal)
      return outcome === 'full' ? 'again' : outcome === 'idle' ? 'idle' : undefined
    },
  }
}
