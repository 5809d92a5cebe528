// the modules themselves rather than the index: this process starts faster without gRPC and Fastify
import { createDb } from '../../../src/db.js'
import { withInbox } from '../../../src/events/inbox.js'
import { openEventBus } from '../../../src/events/open-event-bus.js'
import { createLogger } from '../../../src/logger.js'

// A consumer in its own process that SIGKILLs itself before the bus hears of an outcome: right after the
// effect of its Nth event commits (killAfter), or as soon as it is handed the event killOn, every time.
const config = JSON.parse(process.env.CHILD_CONFIG!) as {
  busUrl: string
  serviceDbUrl: string
  group: string
  type: string
  killAfter?: number
  killOn?: string
  maxAttempts?: number
  ackTimeoutMs: number
}
const log = createLogger({ service: 'consumer-child', instance: 'child', level: 'silent' })
const bus = await openEventBus(config.busUrl, { log, rebalanceMs: 100, pollMs: 500 })
const db = createDb(config.serviceDbUrl, { max: 4 })
const effect = withInbox(db, config.group, async (event, tx) => {
  await tx.query("insert into effects (event_id, handler) values ($1, 'child')", [event.id])
})
let handled = 0
await bus.subscribe(
  config.group,
  [config.type],
  async (event) => {
    if (event.id === config.killOn) process.kill(process.pid, 'SIGKILL')
    await effect(event)
    if (++handled === config.killAfter) process.kill(process.pid, 'SIGKILL')
    await new Promise((resolve) => setTimeout(resolve, 5))
  },
  {
    concurrency: 4,
    ackTimeoutMs: config.ackTimeoutMs,
    ...(config.maxAttempts ? { maxAttempts: config.maxAttempts } : {}),
  },
)
process.send?.('ready')
