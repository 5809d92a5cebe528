import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSmtpTransport } from '../src/app/mail-transport.js'
import { type SmtpCatcher, startSmtpCatcher } from './smtp-catcher.js'

let smtp: SmtpCatcher
beforeAll(async () => {
  smtp = await startSmtpCatcher()
})
afterAll(async () => {
  await smtp?.stop()
})

describe('the SMTP transport', () => {
  it('when mails go out one after another, then they share one connection', async () => {
    const transport = createSmtpTransport({ url: smtp.url, from: 'shop@microshop.local', timeoutMs: 5_000 })
    try {
      for (const n of [1, 2, 3])
        await transport.send({
          messageId: `<pooled-${n}@microshop.test>`,
          to: 'ada@example.com',
          subject: `mail ${n}`,
          text: 'hello',
          eventId: `event-${n}`,
        })
      const sent = smtp.mails.filter((m) => m.messageId.startsWith('<pooled-'))
      expect(sent.map((m) => m.subject)).toEqual(['mail 1', 'mail 2', 'mail 3'])
      expect(new Set(sent.map((m) => m.connection)).size).toBe(1)
    } finally {
      transport.close()
    }
  })
})
