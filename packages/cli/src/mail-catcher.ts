import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'

/** The local SMTP server `up` starts: every mail the services send lands in a folder as an .eml file. */
export interface MailCatcher {
  port: number
  /** `smtp://127.0.0.1:<port>`, handed to the services as SMTP_URL. */
  url: string
  dir: string
  /** Mails received since it started. */
  count(): number
  stop(): Promise<void>
}

const MAX_MAIL_BYTES = 10 * 1024 * 1024

/** The Message-ID header of a raw mail, without its angle brackets; '' when it has none. */
export function messageIdOf(raw: string): string {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? ''
  // folded headers continue on lines that start with white space
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ')
  const match = /^message-id:\s*<?([^>\r\n]*)>?/im.exec(unfolded)
  return match?.[1]?.trim() ?? ''
}

/** `<timestamp>-<message-id>.eml`, safe on every file system. */
export function mailFileName(receivedAt: Date, messageId: string): string {
  const stamp = receivedAt.toISOString().replace(/[:.]/g, '-')
  const id = messageId.replace(/[^A-Za-z0-9._@-]+/g, '_').slice(0, 150) || 'no-message-id'
  return `${stamp}-${id}.eml`
}

/** Starts an SMTP server on a free loopback port (or `host`), without auth or TLS, that stores what it receives in `dir`. */
export async function startMailCatcher(opts: {
  dir: string
  port?: number
  host?: string
}): Promise<MailCatcher> {
  const { dir } = opts
  // the mails name buyers and carry their addresses: the launcher user's alone
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await chmod(dir, 0o700)
  let received = 0

  const store = async (raw: Buffer) => {
    const name = mailFileName(new Date(), messageIdOf(raw.toString('latin1')))
    // a resend of the same mail in the same millisecond gets its own file
    for (let n = 1; ; n++) {
      const file = join(dir, n === 1 ? name : name.replace(/\.eml$/, `-${n}.eml`))
      try {
        await writeFile(file, raw, { flag: 'wx' })
        return
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
    }
  }

  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    banner: 'microshop mail catcher',
    size: MAX_MAIL_BYTES,
    closeTimeout: 1_000,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error('mail too large'), { responseCode: 552 }))
          return
        }
        store(Buffer.concat(chunks)).then(
          () => {
            received++
            callback()
          },
          (err: Error) =>
            callback(
              Object.assign(new Error(`could not store the mail: ${err.message}`), { responseCode: 451 }),
            ),
        )
      })
    },
  })
  // a client that breaks off mid-conversation must not take the launcher down
  server.on('error', () => undefined)
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve())
  })
  const address = server.server.address()
  const port = typeof address === 'object' && address ? address.port : 0

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    dir,
    count: () => received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
