import { SMTPServer } from 'smtp-server'

/** A mail as the test's SMTP server received it. */
export interface CaughtMail {
  raw: string
  subject: string
  messageId: string
  to: string[]
}

const header = (raw: string, name: string) =>
  new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(raw.split(/\r?\n\r?\n/)[0] ?? '')?.[1]?.trim() ?? ''

/** A real SMTP server on a loopback port, without auth or TLS, that keeps what it receives. */
export async function startSmtpCatcher(port = 0) {
  const mails: CaughtMail[] = []
  let server: SMTPServer | undefined
  let boundPort = port

  const listen = async () => {
    server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 100,
      onData(stream, session, callback) {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8')
          mails.push({
            raw,
            subject: header(raw, 'Subject'),
            messageId: header(raw, 'Message-ID'),
            to: session.envelope.rcptTo.map((r) => r.address),
          })
          callback()
        })
      },
    })
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject)
      server!.listen(boundPort, '127.0.0.1', () => resolve())
    })
    const address = server.server.address()
    if (typeof address === 'object' && address) boundPort = address.port
  }
  await listen()

  return {
    mails,
    get port() {
      return boundPort
    },
    get url() {
      return `smtp://127.0.0.1:${boundPort}`
    },
    /** Stops listening: senders now get connection refused. */
    stop: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
    /** Listens again on the same port. */
    restart: listen,
  }
}

export type SmtpCatcher = Awaited<ReturnType<typeof startSmtpCatcher>>
