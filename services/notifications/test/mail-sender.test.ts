import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { Db, Telemetry } from '@microshop/chassis'
import { createDb, createTelemetry, runMigrations } from '@microshop/chassis/internal'
import { silentLogger } from '@microshop/chassis/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { createMailSender } from '../src/app/mail-sender.js'
import { createSmtpTransport, type MailTransport } from '../src/app/mail-transport.js'
import { messageStore } from '../src/store/message-store.js'
import { type SmtpCatcher, startSmtpCatcher } from './smtp-catcher.js'

let database: TestDatabase
let db: Db
let smtp: SmtpCatcher
let telemetry: Telemetry

beforeAll(async () => {
  database = await createTestDatabase('notifications_sender')
  db = createDb(database.url, { log: silentLogger })
  await runMigrations(db, join(import.meta.dirname, '../src/store/migrations'), silentLogger)
  smtp = await startSmtpCatcher()
  telemetry = createTelemetry({ service: 'notifications', instance: 'test' })
})
afterAll(async () => {
  await telemetry?.shutdown(1_000)
  await smtp?.stop()
  await db?.close()
  await database?.drop()
})
beforeEach(async () => {
  await db.query('delete from messages')
})

/** Pending emails, stored as the notifier stores them. */
async function pending(count: number, tag: string) {
  const ids = Array.from({ length: count }, () => randomUUID())
  await db.tx((tx) =>
    messageStore.insert(
      tx,
      ids.map((id, n) => ({
        id,
        eventId: `${tag}-event-${n}`,
        eventType: 'OrderConfirmed',
        channel: 'email' as const,
        userId: 'u1',
        orderId: `${tag}-order-${n}`,
        recipient: 'ada@example.com',
        subject: `${tag} ${n}`,
        body: 'hello',
        smtpMessageId: `<${tag}-${n}@microshop.test>`,
        status: 'pending' as const,
        sentAt: null,
        traceparent: undefined,
      })),
    ),
  )
  return ids
}

const senderWith = (transport: MailTransport | undefined) =>
  createMailSender({
    db,
    store: messageStore,
    transport,
    intervalMs: 60_000,
    retry: { baseMs: 1_000, maxMs: 60_000 },
    log: silentLogger,
    clock: () => new Date(),
    telemetry,
  })

const statuses = async () =>
  (await db.query<{ subject: string; status: string }>('select subject, status from messages order by seq'))
    .rows

describe('the mail sender', () => {
  it('when several emails are due at once, then one run sends them all, in order, in one transaction', async () => {
    await pending(3, 'batch')
    const transport = createSmtpTransport({ url: smtp.url, from: 'shop@microshop.local', timeoutMs: 5_000 })
    try {
      const outcome = await senderWith(transport).run(new AbortController().signal)
      // a batch shorter than the limit took everything due: no run again at once (the next is woken in)
      expect(outcome).toBeUndefined()
      expect(await statuses()).toEqual([
        { subject: 'batch 0', status: 'sent' },
        { subject: 'batch 1', status: 'sent' },
        { subject: 'batch 2', status: 'sent' },
      ])
      const sent = smtp.mails.filter((m) => m.messageId.startsWith('<batch-'))
      expect(sent.map((m) => m.subject)).toEqual(['batch 0', 'batch 1', 'batch 2'])
    } finally {
      transport.close()
    }
  })

  it('when SMTP fails in the middle of a batch, then those sent before are marked sent, the failed one waits its retry and the rest stay pending', async () => {
    await pending(3, 'broken')
    let calls = 0
    const real = createSmtpTransport({ url: smtp.url, from: 'shop@microshop.local', timeoutMs: 5_000 })
    const flaky: MailTransport = {
      async send(mail) {
        if (++calls === 2) throw new Error('451 try again later')
        await real.send(mail)
      },
      close: () => real.close(),
    }
    try {
      expect(await senderWith(flaky).run(new AbortController().signal)).toBeUndefined()
      expect(await statuses()).toEqual([
        { subject: 'broken 0', status: 'sent' },
        { subject: 'broken 1', status: 'pending' },
        { subject: 'broken 2', status: 'pending' },
      ])
      const { rows } = await db.query<{ subject: string; attempts: number; last_error: string | null }>(
        'select subject, attempts, last_error from messages order by seq',
      )
      expect(rows.map((r) => [r.attempts, r.last_error])).toEqual([
        [1, null],
        [1, '451 try again later'],
        [0, null],
      ])
      expect(calls).toBe(2)
    } finally {
      flaky.close()
    }
  })

  it('when the service stops in the middle of a batch, then what went is marked sent and the rest stays pending', async () => {
    await pending(3, 'stopping')
    const stop = new AbortController()
    const real = createSmtpTransport({ url: smtp.url, from: 'shop@microshop.local', timeoutMs: 5_000 })
    const stopsAfterOne: MailTransport = {
      async send(mail) {
        await real.send(mail)
        stop.abort()
      },
      close: () => real.close(),
    }
    try {
      expect(await senderWith(stopsAfterOne).run(stop.signal)).toBeUndefined()
      expect(await statuses()).toEqual([
        { subject: 'stopping 0', status: 'sent' },
        { subject: 'stopping 1', status: 'pending' },
        { subject: 'stopping 2', status: 'pending' },
      ])
    } finally {
      stopsAfterOne.close()
    }
  })
})
