import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream'
import type { Logger } from '../../logger.js'
import { backoffDelay, sleep } from '../backoff.js'
import type { CloudEvent } from '../cloud-event.js'
import { type AttemptRunner, deliver, stoppedEachTime } from '../delivery.js'
import type { EventHandler, ResolvedSubscribeOptions, Subscription } from '../event-bus.js'
import { createIsolation } from '../isolation.js'
import { fromNatsMessage } from './nats-envelope.js'

/** One durable consumer the subscription reads: a partition of the events, or the group's re-driven events. */
export interface ConsumerRef {
  stream: string
  name: string
  /** Where the message's event sits in the event log. */
  positionOf(m: JsMsg): number
  /** Re-driven events were this group's already: they skip the type filter. */
  filterTypes: boolean
}

export interface NatsSubscriptionDeps {
  js: JetStreamClient
  group: string
  types: string[]
  consumers: ConsumerRef[]
  handler: EventHandler
  opts: ResolvedSubscribeOptions
  log: Logger
  deadLetter(m: JsMsg, event: CloudEvent, position: number, error: string, attempts: number): Promise<void>
  /**
   * The attempts of a redelivered message that started here, kept on the server: a delivery counts every
   * hand-over, even to a consumer that died before it ran the handler, so it cannot tell the event that
   * takes its consumer down from the ones that died beside it.
   */
  attempts: {
    started(m: JsMsg): Promise<number>
    record(m: JsMsg, attempt: number): Promise<void>
  }
  /** Resolves once everything sent so far (the acks) reached the server. */
  flush(): Promise<void>
}

function createLimiter(limit: number) {
  let active = 0
  const waiting: Array<() => void> = []
  return async function run<T>(fn: () => Promise<T>): Promise<T> {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
    active++
    try {
      return await fn()
    } finally {
      active--
      waiting.shift()?.()
    }
  }
}

/**
 * One instance of a consumer group on JetStream. Each partition's consumer lets one message be pending at
 * a time (max_ack_pending 1), across all instances: that keeps a subject's events in order while the
 * instances share the partitions; retries happen in place, so the next event of the subject waits.
 */
export function startNatsSubscription(deps: NatsSubscriptionDeps): Omit<Subscription, 'lag'> {
  const { group, opts } = deps
  const log = deps.log.child({ group })
  const types = new Set(deps.types)
  const stopSignal = new AbortController()
  const limit = createLimiter(opts.concurrency)
  const isolation = createIsolation()
  const open = new Set<ConsumerMessages>()
  const pullExpiresMs = Math.max(1_000, Math.min(30_000, opts.ackTimeoutMs / 2))

  async function handle(consumer: ConsumerRef, m: JsMsg) {
    let event: CloudEvent
    try {
      event = fromNatsMessage(m.headers, m.data)
    } catch (err) {
      log.error({ err, seq: m.seq }, 'not a CloudEvent: terminated')
      m.term()
      return
    }
    if (consumer.filterTypes && !types.has(event.type)) {
      m.ack()
      return
    }
    const position = consumer.positionOf(m)
    // A first delivery runs beside the others. A redelivered one may be what took its last consumer down:
    // it runs alone, with its attempt recorded first, so that when it does so again nothing else dies with
    // it, and the events that did die beside it earlier have no attempt counted against them.
    const redelivered = m.info.deliveryCount > 1
    let earlier = 0
    if (redelivered) {
      try {
        earlier = Math.max(1, await deps.attempts.started(m))
      } catch (err) {
        log.warn({ err, eventId: event.id }, 'could not read the attempts of a redelivered event; later')
        m.nak(backoffDelay(1, opts.backoffMs, opts.maxBackoffMs))
        return
      }
    }
    if (earlier >= opts.maxAttempts) {
      // delivered again and again without an answer: it takes its consumer down with it
      await moveToDeadLetters(m, event, position, stoppedEachTime(earlier), earlier)
      return
    }
    const heartbeat = setInterval(() => m.working(), Math.max(100, Math.floor(opts.ackTimeoutMs / 3)))
    try {
      const result = await deliver({
        event,
        position,
        group,
        firstAttempt: earlier + 1,
        handler: deps.handler,
        opts,
        signal: stopSignal.signal,
        log,
        runAttempt: redelivered ? alone(m) : together,
      })
      if (result.outcome === 'handled') m.ack()
      else if (result.outcome === 'aborted') m.nak()
      else await moveToDeadLetters(m, event, position, result.error, result.attempts)
    } finally {
      clearInterval(heartbeat)
    }
  }

  const together: AttemptRunner = async (_, run) => {
    const leave = await isolation.together()
    try {
      await run()
      return true
    } finally {
      leave()
    }
  }

  const alone =
    (m: JsMsg): AttemptRunner =>
    async (attempt, run) => {
      const leave = await isolation.alone()
      try {
        if (stopSignal.signal.aborted) return false
        try {
          // should it take the process down, the acks of the events that finished before it must be in
          await deps.flush()
          await deps.attempts.record(m, attempt)
        } catch (err) {
          log.warn({ err }, 'could not record an attempt; the event will be redelivered')
          return false
        }
        await run()
        return true
      } finally {
        leave()
      }
    }

  async function moveToDeadLetters(
    m: JsMsg,
    event: CloudEvent,
    position: number,
    error: string,
    attempts: number,
  ) {
    try {
      await deps.deadLetter(m, event, position, error, attempts)
      // no reason text: NATS 2.9 does not take `+TERM <reason>` for a termination
      m.term()
      deps.opts.onDeadLetter?.(event, error)
      log.error(
        { eventId: event.id, type: event.type, subject: event.subject, attempts, error },
        'event moved to the dead letters',
      )
    } catch (err) {
      log.warn({ err, eventId: event.id }, 'could not store a dead letter; the event will be redelivered')
      m.nak(backoffDelay(attempts, opts.backoffMs, opts.maxBackoffMs))
    }
  }

  async function consume(consumer: ConsumerRef) {
    let failures = 0
    while (!stopSignal.signal.aborted) {
      let messages: ConsumerMessages | undefined
      try {
        const c = await deps.js.consumers.get(consumer.stream, consumer.name)
        // a dead consumer's pull requests still take deliveries (each counted) until they expire: let them
        // lapse before an event it left unanswered is due again
        messages = await c.consume({ max_messages: 4, expires: pullExpiresMs })
        open.add(messages)
        if (stopSignal.signal.aborted) break
        for await (const m of messages) {
          await limit(() => handle(consumer, m))
          failures = 0
          if (stopSignal.signal.aborted) break
        }
      } catch (err) {
        if (stopSignal.signal.aborted) break
        failures++
        log.warn({ err, consumer: consumer.name }, 'event consumer failed; resuming')
        await sleep(backoffDelay(failures, 200, 5_000), stopSignal.signal)
      } finally {
        if (messages) {
          open.delete(messages)
          messages.stop()
        }
      }
    }
  }

  const running = Promise.all(deps.consumers.map(consume))
  let stopping: Promise<void> | undefined
  return {
    group,
    stop() {
      stopping ??= (async () => {
        stopSignal.abort()
        for (const messages of open) messages.stop()
        await running
      })()
      return stopping
    },
  }
}
