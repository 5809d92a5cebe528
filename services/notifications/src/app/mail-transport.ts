import nodemailer from 'nodemailer'

/** One email as handed to SMTP. */
export interface OutgoingMail {
  messageId: string
  to: string
  subject: string
  text: string
  eventId: string
}

/** Where emails go: an SMTP server. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>
  close(): void
}

/** An SMTP transport (nodemailer) to `smtp://host:port` or `smtps://…`; timeouts keep a dead server from stalling sends. */
export function createSmtpTransport(opts: { url: string; from: string; timeoutMs: number }): MailTransport {
  const transport = nodemailer.createTransport({
    url: opts.url,
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs * 2,
  })
  return {
    async send(mail) {
      await transport.sendMail({
        from: opts.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: mail.messageId,
        headers: { 'X-Microshop-Event-Id': mail.eventId },
      })
    },
    close: () => transport.close(),
  }
}
