import { type EventBus, openEventBus, toCloudEvent } from '@microshop/chassis'
import { OrderDelivered } from '@microshop/contracts/orders/v1/events'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { silentLogger } from '../../../test-support/grpc.js'
import { type Stack, startStack } from '../../../test-support/stack.js'
import { OrderDeliveredEvent } from '../src/events/notification-consumer.js'

let stack: Stack
let bus: EventBus

beforeAll(async () => {
  stack = await startStack(['notifications'], { notifications: { NOTIFICATIONS_SEND_INTERVAL_MS: '50' } })
  bus = await openEventBus(stack.databases.bus!.url, { log: silentLogger })
})
afterAll(async () => {
  await bus?.close()
  await stack?.close()
})

it('when SMTP_URL is not set, then an email is stored and marked sent without being delivered', async () => {
  const orderId = `order-no-smtp-${Date.now()}`
  const event = toCloudEvent(
    '/microshop/orders',
    OrderDeliveredEvent.create(
      orderId,
      OrderDelivered.fromPartial({
        orderId,
        userId: 'u-no-smtp',
        email: 'nobody@example.com',
        trackingNumber: 'MS1',
      }),
    ),
  )
  await bus.publish([event])
  const db = stack.services.notifications!.db!
  const giveUpAt = Date.now() + 10_000
  let row: { status: string; sent_at: Date | null; attempts: number; smtp_message_id: string } | undefined
  while (Date.now() < giveUpAt) {
    ;[row] = (
      await db.query<NonNullable<typeof row>>('select * from messages where event_id = $1', [event.id])
    ).rows
    if (row?.status === 'sent') break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  expect(row).toMatchObject({ status: 'sent', smtp_message_id: `<${event.id}.email@microshop.local>` })
  expect(row!.sent_at).toBeInstanceOf(Date)
})
