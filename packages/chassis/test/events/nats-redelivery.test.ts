import { jetstream } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { afterAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../../../test-support/grpc.js'
import { partitionOf } from '../../src/events/cloud-event.js'
import { PARTITIONS } from '../../src/events/event-bus.js'
import { openEventBus } from '../../src/events/open-event-bus.js'
import { waitFor } from '../../src/testing.js'
import { natsHarness } from './support/harness.js'
import { asCloudEvent, Ticked } from './support/test-events.js'

const natsUrl = process.env.NATS_URL
const title = natsUrl
  ? 'event bus on nats, redeliveries'
  : 'event bus on nats, redeliveries (skipped: NATS_URL is not set)'

describe.skipIf(!natsUrl)(title, () => {
  const harness = natsHarness(natsUrl!)
  afterAll(() => harness.cleanup())

  it('when an event was handed to consumers that died before they ran it, then it is not taken for the one that kills them: it is handled', {
    timeout: 60_000,
  }, async () => {
    const ackTimeoutMs = 1_000
    const maxAttempts = 3
    const url = await harness.newBusUrl()
    const namespace = new URL(url).searchParams.get('namespace')!
    const bus = await openEventBus(url, { log: silentLogger })
    const nc = await connect({ servers: new URL(natsUrl!).host })
    try {
      const group = 'bystander'
      const options = { ackTimeoutMs, maxAttempts, backoffMs: 10, maxBackoffMs: 50 }
      // the group's consumers exist before the event does
      await (await bus.subscribe(group, [Ticked], async () => undefined, options)).stop()
      const event = asCloudEvent(Ticked.create('b', { subject: 'b', n: 1 }))
      await bus.publish([event])

      // consumers that take the event and die before they run it, as many times as a killer gets
      const consumer = await jetstream(nc).consumers.get(
        `${namespace.toUpperCase()}_EVENTS`,
        `${group}-p${partitionOf(event.subject, PARTITIONS)}`,
      )
      for (let delivery = 1; delivery <= maxAttempts; delivery++) {
        const m = await waitFor(() => consumer.next({ expires: 5_000 }), {
          what: `delivery ${delivery} of the event`,
          timeoutMs: 30_000,
        })
        expect(m.info.deliveryCount).toBe(delivery)
      }

      const handled: Array<{ id: string; attempt: number }> = []
      const subscription = await bus.subscribe(
        group,
        [Ticked],
        async (e) => {
          handled.push({ id: e.id, attempt: e.attempt })
        },
        options,
      )
      try {
        await waitFor(() => handled.length > 0, { what: 'the event handled', timeoutMs: 30_000 })
        expect(handled).toEqual([{ id: event.id, attempt: 2 }])
        expect(await bus.deadLetters(group)).toEqual([])
      } finally {
        await subscription.stop()
      }
    } finally {
      await nc.close()
      await bus.close()
    }
  })
})
