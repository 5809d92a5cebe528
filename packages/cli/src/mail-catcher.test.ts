import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MailCatcher, mailFileName, messageIdOf, startMailCatcher } from './mail-catcher.js'

/** A plain SMTP conversation, as a service's mailer would hold it; resolves with the server's replies. */
function sendMail(port: number, raw: string): Promise<string[]> {
  const commands = [
    'EHLO test.local',
    'MAIL FROM:<shop@test.local>',
    'RCPT TO:<ada@example.com>',
    'DATA',
    `${raw}\r\n.`,
    'QUIT',
  ]
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const replies: string[] = []
    let buffer = ''
    socket.setEncoding('utf8')
    socket.on('data', (data: string) => {
      buffer += data
      // a reply ends with a line whose code is followed by a space (not a dash)
      let end = buffer.search(/^\d{3} .*\r\n/m)
      while (end !== -1) {
        const lineEnd = buffer.indexOf('\r\n', end) + 2
        replies.push(buffer.slice(end, lineEnd - 2))
        buffer = buffer.slice(lineEnd)
        const next = commands.shift()
        if (next) socket.write(`${next}\r\n`)
        end = buffer.search(/^\d{3} .*\r\n/m)
      }
    })
    socket.on('end', () => resolve(replies))
    socket.on('error', reject)
  })
}

const mail = (messageId: string, subject: string) =>
  [
    `From: shop@test.local`,
    `To: ada@example.com`,
    `Subject: ${subject}`,
    `Message-ID: ${messageId}`,
    '',
    'Hello.',
  ].join('\r\n')

let dir: string
let catcher: MailCatcher

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'microshop-mail-'))
  catcher = await startMailCatcher({ dir: join(dir, 'mail') })
})
afterAll(async () => {
  await catcher?.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('the mail catcher', () => {
  it('when a service sends a mail over SMTP, then it is stored as <timestamp>-<message-id>.eml and counted', async () => {
    const replies = await sendMail(catcher.port, mail('<evt-1.email@microshop.local>', 'Order 42 confirmed'))
    expect(replies[0]).toMatch(/^220 /)
    expect(replies.filter((r) => r.startsWith('250 ')).length).toBeGreaterThanOrEqual(3)
    const files = await readdir(catcher.dir)
    expect(files).toHaveLength(1)
    expect(files[0]).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-evt-1\.email@microshop\.local\.eml$/,
    )
    expect(await readFile(join(catcher.dir, files[0]!), 'utf8')).toContain('Subject: Order 42 confirmed')
    expect(catcher.count()).toBe(1)
    expect(catcher.url).toBe(`smtp://127.0.0.1:${catcher.port}`)
  })

  it('when the same mail is sent again, then both copies are kept', async () => {
    await sendMail(catcher.port, mail('<evt-2@x>', 'again'))
    await sendMail(catcher.port, mail('<evt-2@x>', 'again'))
    expect((await readdir(catcher.dir)).filter((f) => f.includes('evt-2@x'))).toHaveLength(2)
    expect(catcher.count()).toBe(3)
  })
})

describe('mail file names', () => {
  it('when the Message-ID is folded or odd, then the name is still safe', () => {
    expect(messageIdOf('Subject: x\r\nMessage-ID:\r\n <a/b c@d>\r\n\r\nbody')).toBe('a/b c@d')
    expect(messageIdOf('Subject: x\r\n\r\nMessage-ID: <in-body@x>')).toBe('')
    const at = new Date('2026-01-02T03:04:05.678Z')
    expect(mailFileName(at, 'a/b c@d')).toBe('2026-01-02T03-04-05-678Z-a_b_c@d.eml')
    expect(mailFileName(at, '')).toBe('2026-01-02T03-04-05-678Z-no-message-id.eml')
  })
})
