import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  type MsgRequest,
  RetentionPolicy,
  StorageType,
  type StoredMsg,
  type StreamConfig,
} from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import type { Logger } from '../../logger.js'
import { type CloudEvent, partitionOf } from '../cloud-event.js'
import {
  checkGroupName,
  type DeadLetter,
  type EventBus,
  PARTITIONS,
  resolveSubscribeOptions,
  type Subscription,
  typeNames,
} from '../event-bus.js'
import { fromNatsMessage, headerValue, toNatsHeaders } from './nats-envelope.js'
import { startNatsSubscription } from './nats-subscription.js'
import { natsTarget } from './nats-target.js'

export interface NatsBusOptions {
  log: Logger
  name?: string
  /** Events older than this leave the stream. Default 7 days. */
  retentionMs?: number
}

const DAY_MS = 24 * 60 * 60_000
const DUPLICATE_WINDOW_MS = 2 * 60_000
const PUBLISH_CHAINS = 256
// a transient group's consumers outlive a crashed instance by this much, then the server removes them
const TRANSIENT_IDLE_MS = 10 * 60_000
// dead-letter bookkeeping travels in headers beside the event's own
const H_ERROR = 'ms-error'
const H_ATTEMPTS = 'ms-attempts'
const H_POSITION = 'ms-position'
const H_FAILED_AT = 'ms-failed-at'

const nanos = (ms: number) => Math.round(ms * 1_000_000)

const isApiError = (err: unknown, code: number) => err instanceof JetStreamApiError && err.code === code

/** The narrowest single filter (NATS 2.9 allows one per consumer) that covers the group's event types. */
function filterFor(prefix: string, types: string[]): string {
  if (types.length === 1) return `${prefix}.${types[0]}`
  const services = new Set(types.map((t) => t.split('.')[0]))
  return services.size === 1 ? `${prefix}.${[...services][0]}.>` : `${prefix}.>`
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }) {
  try {
    await jsm.streams.info(config.name)
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.StreamNotFound)) throw err
    await jsm.streams.add(config)
  }
}

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig> & { durable_name: string },
) {
  for (let attempt = 1; ; attempt++) {
    try {
      const { config: current } = await jsm.consumers.info(stream, config.durable_name)
      if (current.filter_subject !== config.filter_subject || current.ack_wait !== config.ack_wait)
        await jsm.consumers.update(stream, config.durable_name, {
          filter_subject: config.filter_subject,
          ack_wait: config.ack_wait,
        })
      return
    } catch (err) {
      if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound) || attempt > 2) throw err
    }
    // another instance may create it first, with other settings: then the next round updates it
    await jsm.consumers.add(stream, config).catch(() => undefined)
  }
}

/**
 * The event log on NATS JetStream: one stream of events (subject `<ns>.ev.<partition>.<type>`), durable
 * consumers per group and partition, `Nats-Msg-Id` = event id against duplicates, a stream of dead
 * letters and a work queue of re-driven events. `?namespace=` in the URL names them (default microshop).
 */
export async function createNatsBus(url: string, opts: NatsBusOptions): Promise<EventBus> {
  const log = opts.log.child({ bus: 'nats' })
  const { ns, connection, streams } = natsTarget(url)
  const nc = await connect({ ...connection, name: opts.name, maxReconnectAttempts: -1 })
  const subscriptions = new Set<Pick<Subscription, 'stop'>>()
  const subjects = {
    event: (e: CloudEvent) => `${ns}.ev.${partitionOf(e.subject, PARTITIONS)}.${e.type}`,
    partition: (p: number) => `${ns}.ev.${p}`,
    dead: (group: string) => `${ns}.dead.${group}`,
    redrive: (group: string) => `${ns}.redrive.${group}`,
    attempts: (group: string, m: JsMsg) => `${ns}.attempts.${group}.${m.info.stream}.${m.seq}`,
  }
  const partitionConsumer = (group: string, p: number) => `${group}-p${p}`

  let jsm: JetStreamManager
  try {
    jsm = await jetstreamManager(nc)
    await ensureStream(jsm, {
      name: streams.events,
      subjects: [`${ns}.ev.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(opts.retentionMs ?? 7 * DAY_MS),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    })
    await ensureStream(jsm, { name: streams.dead, subjects: [`${ns}.dead.>`], storage: StorageType.File })
    await ensureStream(jsm, {
      name: streams.redrive,
      subjects: [`${ns}.redrive.>`],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
    })
    // the last attempt started of each redelivered event, per group: one message per subject
    await ensureStream(jsm, {
      name: streams.attempts,
      subjects: [`${ns}.attempts.>`],
      storage: StorageType.File,
      max_msgs_per_subject: 1,
      max_age: nanos(opts.retentionMs ?? 7 * DAY_MS),
    })
  } catch (err) {
    await nc.close()
    throw new Error(`JetStream at BUS_URL is not usable: ${(err as Error).message}`, { cause: err })
  }
  const js = jetstream(nc)
  // deliveries and acks get a connection of their own: a burst of publishes does not queue ahead of them
  const consumerConnection = await connect({ ...connection, name: opts.name, maxReconnectAttempts: -1 })
  const consumerJs = jetstream(consumerConnection)

  async function publishOne(
    event: CloudEvent,
    subject: string,
    msgID: string,
    extra: Record<string, string> = {},
  ) {
    const h = toNatsHeaders(event)
    for (const [k, v] of Object.entries(extra)) h.set(k, headerValue(v))
    await js.publish(subject, event.data, { msgID, headers: h })
  }

  async function listDeadLetters(group: string): Promise<Array<DeadLetter & { stored: StoredMsg }>> {
    const out: Array<DeadLetter & { stored: StoredMsg }> = []
    for (let seq = 1; ; ) {
      // the server (2.9 too) answers next_by_subj on STREAM.MSG.GET; the client's type only lists it for direct gets
      const query = { next_by_subj: `${subjects.dead(group)}.>`, seq } as unknown as MsgRequest
      const stored = await jsm.streams.getMessage(streams.dead, query)
      if (!stored) return out
      const h = stored.header
      out.push({
        id: String(stored.seq),
        group,
        event: fromNatsMessage(h, stored.data),
        position: Number(h.get(H_POSITION)),
        error: h.get(H_ERROR),
        attempts: Number(h.get(H_ATTEMPTS)),
        failedAt: new Date(h.get(H_FAILED_AT)),
        stored,
      })
      seq = stored.seq + 1
    }
  }

  return {
    kind: 'nats',

    async publish(events) {
      // a subject's events go one after the other, each once the previous one is stored: a failure can
      // never leave a later event of the subject in the stream ahead of an earlier one
      const chains = new Map<string, CloudEvent[]>()
      for (const e of events) {
        const chain = chains.get(e.subject)
        if (chain) chain.push(e)
        else chains.set(e.subject, [e])
      }
      const pending = [...chains.values()]
      const worker = async () => {
        for (let chain = pending.shift(); chain; chain = pending.shift())
          for (const e of chain) await publishOne(e, subjects.event(e), e.id)
      }
      await Promise.all(Array.from({ length: Math.min(PUBLISH_CHAINS, pending.length) }, worker))
    },

    async subscribe(group, eventTypes, handler, subscribeOpts) {
      checkGroupName(group)
      const types = typeNames(eventTypes)
      const resolved = resolveSubscribeOptions(subscribeOpts)
      const common: Partial<ConsumerConfig> = {
        ack_policy: AckPolicy.Explicit,
        ack_wait: nanos(resolved.ackTimeoutMs),
        max_ack_pending: 1,
        max_deliver: -1,
        deliver_policy: resolved.startAt === 'latest' ? DeliverPolicy.New : DeliverPolicy.All,
        ...(resolved.transient ? { inactive_threshold: nanos(TRANSIENT_IDLE_MS) } : {}),
      }
      for (let p = 0; p < PARTITIONS; p++)
        await ensureConsumer(jsm, streams.events, {
          ...common,
          durable_name: partitionConsumer(group, p),
          filter_subject: filterFor(subjects.partition(p), types),
        })
      await ensureConsumer(jsm, streams.redrive, {
        ...common,
        deliver_policy: DeliverPolicy.All,
        durable_name: group,
        filter_subject: `${subjects.redrive(group)}.>`,
      })
      const subscription = startNatsSubscription({
        js: consumerJs,
        group,
        types,
        consumers: [
          ...Array.from({ length: PARTITIONS }, (_, p) => ({
            stream: streams.events,
            name: partitionConsumer(group, p),
            positionOf: (m: { seq: number }) => m.seq,
            filterTypes: true,
          })),
          {
            stream: streams.redrive,
            name: group,
            positionOf: (m) => Number(m.headers?.get(H_POSITION)),
            filterTypes: false,
          },
        ],
        handler,
        opts: resolved,
        log,
        async deadLetter(m, event, position, error, attempts) {
          await publishOne(
            event,
            `${subjects.dead(group)}.${event.type}`,
            `dead-${group}-${m.info.stream}-${m.seq}`,
            {
              [H_ERROR]: error,
              [H_ATTEMPTS]: String(attempts),
              [H_POSITION]: String(position),
              [H_FAILED_AT]: new Date().toISOString(),
            },
          )
        },
        attempts: {
          async started(m) {
            const last = await jsm.streams.getMessage(streams.attempts, {
              last_by_subj: subjects.attempts(group, m),
            })
            return last ? Number(last.string()) : 0
          },
          async record(m, attempt) {
            await js.publish(subjects.attempts(group, m), String(attempt))
          },
        },
        flush: () => consumerConnection.flush(),
      })
      const stoppable: Subscription = {
        group,
        async lag() {
          let events = 0
          let oldest = Number.POSITIVE_INFINITY
          for (let p = 0; p < PARTITIONS; p++) {
            const info = await jsm.consumers.info(streams.events, partitionConsumer(group, p))
            const behind = info.num_pending + info.num_ack_pending
            if (behind === 0) continue
            events += behind
            // the oldest event not acknowledged yet: the first of the partition's after the ack floor
            const query = {
              next_by_subj: info.config.filter_subject,
              seq: info.ack_floor.stream_seq + 1,
            } as unknown as MsgRequest
            const next = await jsm.streams.getMessage(streams.events, query).catch(() => null)
            if (next) oldest = Math.min(oldest, next.time.getTime())
          }
          return { events, seconds: Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0 }
        },
        async stop() {
          subscriptions.delete(stoppable)
          await subscription.stop()
          if (!resolved.transient) return
          for (let p = 0; p < PARTITIONS; p++)
            await jsm.consumers.delete(streams.events, partitionConsumer(group, p)).catch(() => false)
          await jsm.consumers.delete(streams.redrive, group).catch(() => false)
        },
      }
      subscriptions.add(stoppable)
      return stoppable
    },

    async deadLetters(group) {
      return (await listDeadLetters(group)).map(({ stored: _, ...letter }) => letter)
    },

    async redrive(group, ids) {
      const chosen = (await listDeadLetters(group)).filter((d) => !ids || ids.includes(d.id))
      for (const d of chosen) {
        await publishOne(d.event, `${subjects.redrive(group)}.${d.event.type}`, `redrive-${group}-${d.id}`, {
          [H_POSITION]: String(d.position),
        })
        await jsm.streams.deleteMessage(streams.dead, d.stored.seq)
      }
      return chosen.length
    },

    async replay(group, from) {
      checkGroupName(group)
      for (let p = 0; p < PARTITIONS; p++) {
        const name = partitionConsumer(group, p)
        let config: ConsumerConfig
        try {
          config = (await jsm.consumers.info(streams.events, name)).config
        } catch (err) {
          if (isApiError(err, JetStreamApiCodes.ConsumerNotFound)) continue
          throw err
        }
        const { opt_start_seq: _seq, opt_start_time: _time, ...rest } = config
        await jsm.consumers.delete(streams.events, name)
        await jsm.consumers.add(
          streams.events,
          'position' in from
            ? {
                ...rest,
                deliver_policy: DeliverPolicy.StartSequence,
                opt_start_seq: Math.max(1, from.position),
              }
            : { ...rest, deliver_policy: DeliverPolicy.StartTime, opt_start_time: from.time.toISOString() },
        )
      }
    },

    async close() {
      await Promise.all([...subscriptions].map((s) => s.stop()))
      subscriptions.clear()
      await consumerConnection.drain()
      await nc.drain()
    },
  }
}
