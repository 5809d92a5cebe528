// the modules themselves rather than the index: this process starts faster without gRPC and Fastify
import { createDb } from '../../../src/db.js'
import type { EventBus } from '../../../src/events/event-bus.js'
import { openEventBus } from '../../../src/events/open-event-bus.js'
import { startOutboxRelay } from '../../../src/events/outbox-relay.js'
import { createLogger } from '../../../src/logger.js'

// An outbox relay in its own process that SIGKILLs itself as soon as its first publish succeeded,
// before it marks the rows sent.
const config = JSON.parse(process.env.CHILD_CONFIG!) as { busUrl: string; serviceDbUrl: string }
const log = createLogger({ service: 'relay-child', instance: 'child', level: 'silent' })
const bus = await openEventBus(config.busUrl, { log })
const db = createDb(config.serviceDbUrl, { max: 2 })
const dying: EventBus = {
  ...bus,
  async publish(events) {
    await bus.publish(events)
    process.kill(process.pid, 'SIGKILL')
  },
}
process.send?.('ready')
startOutboxRelay({ db, bus: dying, log })
