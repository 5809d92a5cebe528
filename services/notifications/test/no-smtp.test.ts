import { type EventBus, openEventBus } from '@microshop/chassis/internal'
import { publishEvent, silentLogger, waitFor } from '@microshop/chassis/testing'
import { events } from '@microshop/contracts/events'
import { OrderDelivered } from '@microshop/contracts/orders/v1/events'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type Stack, startStack } from '../../../test-support/stack.js'

let stack: Stack
let bus: EventBus

beforeAll(async () => {
  stack = await startStack(['notifications'], { notifications: { NOTIFICATIONS_SEND_INTERVAL_MS: '50' } })
  bus = await openEventBus(stack.databases.bus?.url ?? '', { log: silentLogger })
})
afterAll(async () => {
  await bus?.close()
  await stack?.close()
})

it('when SMTP_URL is not set, then an email is stored and marked sent without being delivered', async () => {
  const orderId = `order-no-smtp-${Date.now()}`
  const event = await publishEvent(
    bus,
    events.OrderDelivered,
    OrderDelivered.fromPartial({
      orderId,
      userId: 'u-no-smtp',
      email: 'nobody@example.com',
      trackingNumber: 'MS1',
    }),
  )
  const db = stack.services.notifications?.db
  if (!db) throw new Error('notifications runs with a database')
  type Row = { status: string; sent_at: Date | null; attempts: number; smtp_message_id: string }
  const row = await waitFor(
    async () => {
      const [found] = (await db.query<Row>('select * from messages where event_id = $1', [event.id])).rows
      return found?.status === 'sent' ? found : undefined
    },
    { what: 'the email marked sent' },
  )
  expect(row).toMatchObject({ status: 'sent', smtp_message_id: `<${event.id}.email@microshop.local>` })
  expect(row.sent_at).toBeInstanceOf(Date)
})
