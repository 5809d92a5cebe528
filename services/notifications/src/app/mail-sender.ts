import type { Db, Logger } from '@microshop/chassis'
import { retryDelayMs } from '../domain/send-retry.js'
import type { MessageStore } from '../store/message-store.js'
import type { MailTransport } from './mail-transport.js'

/**
 * Delivers pending emails, one transaction per email: marked sent only after SMTP took it, so a crash
 * never loses one (it may send it twice, with the same Message-ID). Without a transport, emails are
 * marked sent with a log line. Replicas share the work with `skip locked`.
 */
export function createMailSender(deps: {
  db: Db
  store: MessageStore
  transport: MailTransport | undefined
  intervalMs: number
  retry: { baseMs: number; maxMs: number }
  log: Logger
  clock?: () => Date
}) {
  const { db, store, transport, log } = deps
  const clock = deps.clock ?? (() => new Date())
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let again = false
  let stopped = false

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
        await transport.send({
          messageId: message.smtpMessageId ?? '',
          to: message.recipient,
          subject: message.subject,
          text: message.body,
          eventId: message.eventId,
        })
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
      log.info({ messageId: message.smtpMessageId, to: message.recipient }, 'email sent')
      return 'sent' as const
    })

  const sendDue = async () => {
    // one failure ends the round: the server is likely down, and the next tries wait their turn
    while (!stopped && (await sendNext()) === 'sent') {}
  }

  const round = () => {
    clearTimeout(timer)
    again = false
    running = sendDue()
      .catch((err) => log.warn({ err }, 'sending emails failed; retrying at the next round'))
      .finally(() => {
        running = undefined
        if (stopped) return
        if (again) round()
        else timer = setTimeout(round, deps.intervalMs).unref()
      })
  }

  return {
    start: round,
    /** New emails are waiting: send them now rather than at the next round. */
    wake() {
      if (stopped) return
      if (running) again = true
      else round()
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
      transport?.close()
    },
  }
}
