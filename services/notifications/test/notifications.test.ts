import { type CallOptions, eventOf, type ServiceClient } from '@microshop/chassis'
import {
  type CloudEvent,
  createServiceClient,
  type EventBus,
  openEventBus,
  toCloudEvent,
  toNewEvent,
} from '@microshop/chassis/internal'
import {
  expectFailure,
  publishEvent,
  silentLogger,
  staticDiscovery,
  waitFor,
} from '@microshop/chassis/testing'
import { type EventContract, events } from '@microshop/contracts/events'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import {
  Channel,
  ListMessagesRequest,
  MessageStatus,
  NotificationsServiceService,
} from '@microshop/contracts/notifications/v1/notifications'
import {
  OrderCancelled,
  OrderConfirmed,
  OrderDelivered,
  OrderShipped,
} from '@microshop/contracts/orders/v1/events'
import { PaymentFailed } from '@microshop/contracts/payments/v1/events'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../../test-support/stack.js'
import { NOTIFYING_EVENTS_GROUP } from '../src/events/consumers.js'
import { type SmtpCatcher, startSmtpCatcher } from './smtp-catcher.js'

const PASSWORD = 'correct-horse-battery-9'
const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }

let stack: Stack
let smtp: SmtpCatcher
let bus: EventBus
let db: pg.Pool
let notifications: ServiceClient<typeof NotificationsServiceService>
let identity: ServiceClient<typeof IdentityServiceService>
let seq = 0

interface Customer {
  userId: string
  email: string
  as: CallOptions
}

async function signIn(email: string, password: string): Promise<Customer> {
  const { tokens, user } = await identity.call('login', { email, password })
  return { userId: user!.id, email, as: { authorization: `Bearer ${tokens!.accessToken}` } }
}

async function signedUp(): Promise<Customer> {
  const email = `notify-${Date.now()}-${++seq}@example.com`
  await identity.call('register', { email, password: PASSWORD, name: `Customer ${seq}` })
  return signIn(email, PASSWORD)
}

/** An event as its owner's relay publishes it. */
const cloudEvent = <T>(contract: EventContract<T>, payload: T): CloudEvent =>
  toCloudEvent(`/microshop/${contract.owner}`, toNewEvent(eventOf(contract, payload)))

/** One event of each order and payment type about one order, in the order a real order's life makes them. */
function orderLife(orderId: string, c: Pick<Customer, 'userId' | 'email'>): CloudEvent[] {
  const who = { orderId, userId: c.userId, email: c.email }
  return [
    cloudEvent(
      events.PaymentFailed,
      PaymentFailed.fromPartial({ ...who, paymentId: 'pay-1', code: 'card_declined' }),
    ),
    cloudEvent(
      events.OrderConfirmed,
      OrderConfirmed.fromPartial({
        ...who,
        lines: [
          {
            productId: 'p1',
            name: 'Kettle',
            quantity: 2,
            lineTotal: { amount: 5_998, currency: 'USD' },
            unitPrice: { amount: 2_999, currency: 'USD' },
          },
        ],
        total: { amount: 5_998, currency: 'USD' },
        shippingAddress: {
          name: 'Ada',
          line1: '1 Main St',
          city: 'Austin',
          country: 'US',
          phone: '+15550100',
        },
      }),
    ),
    cloudEvent(
      events.OrderShipped,
      OrderShipped.fromPartial({ ...who, trackingNumber: 'MSTRACK123456', carrier: 'Microshop Ground' }),
    ),
    cloudEvent(
      events.OrderDelivered,
      OrderDelivered.fromPartial({ ...who, trackingNumber: 'MSTRACK123456' }),
    ),
    cloudEvent(events.OrderCancelled, OrderCancelled.fromPartial({ ...who, reason: 'customer_cancelled' })),
  ]
}

const messageRows = async (where: string, params: unknown[]) =>
  (
    await db.query<{
      event_id: string
      event_type: string
      channel: string
      status: string
      attempts: number
      smtp_message_id: string
      subject: string
      recipient: string
    }>(`select * from messages where ${where} order by seq`, params)
  ).rows

const list = (req: Partial<ListMessagesRequest>, as?: CallOptions) =>
  notifications.call('listMessages', ListMessagesRequest.fromPartial(req), as)

const mailsWith = (messageId: string) => smtp.mails.filter((m) => m.messageId === messageId)

beforeAll(async () => {
  smtp = await startSmtpCatcher()
  stack = await startStack(['identity', 'notifications'], {
    notifications: {
      SMTP_URL: smtp.url,
      NOTIFICATIONS_SEND_INTERVAL_MS: '50',
      NOTIFICATIONS_RETRY_BASE_MS: '100',
      NOTIFICATIONS_RETRY_MAX_MS: '200',
      NOTIFICATIONS_SMTP_TIMEOUT_MS: '1000',
    },
  })
  bus = await openEventBus(stack.databases.bus!.url, { log: silentLogger })
  db = new pg.Pool({ connectionString: stack.databases.notifications!.url, max: 2 })
  const target = (name: 'identity' | 'notifications') => () => [`127.0.0.1:${stack.services[name]?.grpcPort}`]
  notifications = createServiceClient({
    service: 'notifications',
    definition: NotificationsServiceService,
    discovery: staticDiscovery(target('notifications')),
    log: silentLogger,
    deadlineMs: 10_000,
  })
  identity = createServiceClient({
    service: 'identity',
    definition: IdentityServiceService,
    discovery: staticDiscovery(target('identity')),
    log: silentLogger,
    deadlineMs: 10_000,
  })
})
afterAll(async () => {
  notifications?.close()
  identity?.close()
  await db?.end()
  await bus?.close()
  await stack?.close()
  await smtp?.stop()
})

describe('one message per event', () => {
  it('when every notifying event arrives, and again after a replay, then each makes exactly one message and one mail', async () => {
    const ada = await signedUp()
    const orderId = `order-notify-${Date.now()}`
    const life = orderLife(orderId, ada)
    const replayFrom = new Date()
    await bus.publish(life)

    const registered = await waitFor(
      async () =>
        (
          await messageRows(`event_type = $1 and user_id = $2 and status = 'sent'`, [
            events.UserRegistered.type,
            ada.userId,
          ])
        )[0],
      { what: 'the welcome email' },
    )
    await waitFor(
      async () => (await messageRows(`order_id = $1 and status = 'sent'`, [orderId])).length === life.length,
      { what: 'the order emails sent' },
    )

    // a true redelivery of every event: the group is moved back and reads them all again
    await stack.stop('notifications')
    await bus.replay(NOTIFYING_EVENTS_GROUP, { time: replayFrom })
    await stack.start('notifications')
    // events of one order are handled in order: once this one is in, every replayed event was handled;
    // and emails go out in the order they were stored: once its email is sent, any second one was too
    const marker = await publishEvent(
      bus,
      events.OrderDelivered,
      OrderDelivered.fromPartial({ orderId, userId: ada.userId, email: ada.email }),
    )
    await waitFor(async () => (await messageRows(`event_id = $1 and status = 'sent'`, [marker.id]))[0], {
      what: 'the email of the marker after the replay',
    })

    const rows = (await messageRows('order_id = $1', [orderId])).filter((r) => r.event_id !== marker.id)
    expect(rows.map((r) => [r.event_type, r.channel]).sort()).toEqual(
      [
        [events.OrderCancelled.type, 'email'],
        [events.OrderConfirmed.type, 'email'],
        [events.OrderDelivered.type, 'email'],
        [events.OrderShipped.type, 'email'],
        [events.OrderShipped.type, 'sms'],
        [events.PaymentFailed.type, 'email'],
      ].sort(),
    )
    expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set(life.map((e) => e.id)))
    const sms = rows.find((r) => r.channel === 'sms')
    expect(sms).toMatchObject({ status: 'stored', recipient: '+15550100' })
    for (const row of [...rows.filter((r) => r.channel === 'email'), registered]) {
      expect(row.status).toBe('sent')
      expect(mailsWith(row.smtp_message_id)).toHaveLength(1)
    }
    expect(await messageRows('user_id = $1 and order_id = $2', [ada.userId, ''])).toHaveLength(1)
  })

  it('when an email is sent, then it arrives over SMTP with its subject, recipient and event Message-ID', async () => {
    const bob = await signedUp()
    const orderId = `order-smtp-${Date.now()}`
    const [, confirmed] = orderLife(orderId, bob)
    if (!confirmed) throw new Error('an order life has its confirmation')
    await bus.publish([confirmed])
    const expectedId = `<${confirmed.id}.email@microshop.local>`
    const mail = await waitFor(() => mailsWith(expectedId)[0], { what: 'the mail' })
    expect(mail.subject).toBe(`Order ${orderId} confirmed`)
    expect(mail.to).toEqual([bob.email])
    expect(mail.raw).toMatch(/^From: microshop <no-reply@microshop\.local>/m)
    expect(mail.raw).toMatch(new RegExp(`^X-Microshop-Event-Id: ${confirmed.id}$`, 'im'))
    const welcome = await waitFor(
      () => smtp.mails.find((m) => m.to.includes(bob.email) && m.subject === 'Welcome to microshop'),
      { what: 'the welcome mail' },
    )
    expect(welcome.messageId).toMatch(/^<.+\.email@microshop\.local>$/)
  })

  it('when someone signs up with a taken email, then its owner gets one notice by SMTP and no second account is greeted', async () => {
    const fay = await signedUp()
    const ownName = `Customer ${seq}`
    const welcome = await waitFor(
      () => smtp.mails.find((m) => m.to.includes(fay.email) && m.subject === 'Welcome to microshop'),
      { what: 'the welcome mail' },
    )
    await identity.call('register', {
      email: fay.email,
      password: 'another-horse-battery-8',
      name: 'Mallory',
    })
    await identity.call('register', {
      email: fay.email,
      password: 'another-horse-battery-8',
      name: 'Mallory',
    })
    const SUBJECT = 'Someone tried to sign up with your email address'
    const notice = await waitFor(
      () => smtp.mails.find((m) => m.to.includes(fay.email) && m.subject === SUBJECT),
      { what: 'the notice to the owner' },
    )
    expect(notice.raw).toContain(`Hello ${ownName},`)
    expect(notice.raw).not.toContain('Mallory')
    // the owner's mailbox has it; a later event of theirs arrives after it, and no second notice or welcome did
    const marker = await publishEvent(
      bus,
      events.OrderDelivered,
      OrderDelivered.fromPartial({
        orderId: `order-after-notice-${Date.now()}`,
        userId: fay.userId,
        email: fay.email,
      }),
    )
    await waitFor(async () => (await messageRows(`event_id = $1 and status = 'sent'`, [marker.id]))[0], {
      what: 'a later email of the owner',
    })
    const subjects = smtp.mails.filter((m) => m.to.includes(fay.email)).map((m) => m.subject)
    expect(subjects.filter((s) => s === SUBJECT)).toHaveLength(1)
    expect(subjects.filter((s) => s === welcome.subject)).toHaveLength(1)
    const { messages } = await list({}, fay.as)
    expect(messages.map((m) => m.subject)).toContain(SUBJECT)
  })

  it('when the SMTP server is down, then emails stay pending and are sent once it is back', async () => {
    const cy = await signedUp()
    await waitFor(() => smtp.mails.find((m) => m.to.includes(cy.email)), { what: 'the welcome mail' })
    await smtp.stop()
    const before = smtp.mails.length
    const orderId = `order-down-${Date.now()}`
    const [, , shipped] = orderLife(orderId, cy)
    if (!shipped) throw new Error('an order life has its shipping')
    await bus.publish([shipped])
    const emailOf = async () => (await messageRows(`order_id = $1 and channel = 'email'`, [orderId]))[0]
    const pending = await waitFor(
      async () => {
        const row = await emailOf()
        return row && row.attempts >= 2 ? row : undefined
      },
      { what: 'a failed attempt' },
    )
    expect(pending.status).toBe('pending')
    expect(smtp.mails.length).toBe(before)

    await smtp.restart()
    const mail = await waitFor(() => mailsWith(pending.smtp_message_id)[0], {
      what: 'the mail after SMTP is back',
    })
    expect(mail.subject).toBe(`Order ${orderId} shipped`)
    await waitFor(async () => (await emailOf())?.status === 'sent', { what: 'the message marked sent' })
    expect(mailsWith(pending.smtp_message_id)).toHaveLength(1)
  })
})

describe('ListMessages', () => {
  it("when customers list their messages, then each sees only their own; an admin may ask for anyone's", async () => {
    const dee = await signedUp()
    const eve = await signedUp()
    const orderId = `order-list-${Date.now()}`
    await bus.publish(orderLife(orderId, dee))
    await waitFor(async () => (await messageRows('order_id = $1', [orderId])).length === 6, {
      what: "dee's messages",
    })
    await waitFor(async () => (await messageRows('user_id = $1', [eve.userId])).length === 1, {
      what: "eve's welcome",
    })

    const mine = await list({}, dee.as)
    expect(mine.messages).toHaveLength(7)
    expect(new Set(mine.messages.map((m) => m.userId))).toEqual(new Set([dee.userId]))
    // newest first: the welcome email came before the order's
    expect(mine.messages.at(-1)).toMatchObject({
      subject: 'Welcome to microshop',
      channel: Channel.CHANNEL_EMAIL,
    })
    const theirs = await list({}, eve.as)
    expect(theirs.messages.map((m) => m.subject)).toEqual(['Welcome to microshop'])

    const forOrder = await list({ orderId }, dee.as)
    expect(forOrder.messages).toHaveLength(6)
    expect(forOrder.messages.find((m) => m.channel === Channel.CHANNEL_SMS)).toMatchObject({
      status: MessageStatus.MESSAGE_STATUS_STORED,
      to: '+15550100',
    })
    expect((await list({ orderId }, eve.as)).messages).toEqual([])

    const page1 = await list({ page: { pageSize: 4, pageToken: '' } }, dee.as)
    const page2 = await list({ page: { pageSize: 4, pageToken: page1.nextPageToken } }, dee.as)
    expect(page1.messages).toHaveLength(4)
    expect(page2.messages).toHaveLength(3)
    expect(page2.nextPageToken).toBe('')
    expect([...page1.messages, ...page2.messages].map((m) => m.id)).toEqual(mine.messages.map((m) => m.id))

    await expectFailure(list({ userId: dee.userId }, eve.as), 'AUTH_FORBIDDEN')
    const admin = await signIn(ADMIN.email, ADMIN.password)
    const asAdmin = await list({ userId: dee.userId }, admin.as)
    expect(asAdmin.messages.map((m) => m.id)).toEqual(mine.messages.map((m) => m.id))
    await expectFailure(list({}, undefined), 'AUTH_REQUIRED')
  })
})
