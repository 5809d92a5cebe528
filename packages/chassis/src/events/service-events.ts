import {
  type EventContract,
  type EventName,
  type Events,
  eventByType,
  events,
  type PayloadOf,
} from '@microshop/contracts/events'
import type { Db, Tx } from '../db.js'
import { AppError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'
import { SpanKind, type Telemetry } from '../telemetry.js'
import { eventSource, type NewEvent } from './cloud-event.js'
import type { DeliveredEvent, EventBus, SubscribeOptions, Subscription } from './event-bus.js'
import type { EventVerifier, SignatureProblem } from './event-signature.js'
import { recordInInbox } from './inbox.js'
import type { Outbox } from './outbox.js'

/** An event about to be emitted: its contract and its payload (and, rarely, its own id and time). */
export interface PendingEvent {
  contract: EventContract<never>
  payload: unknown
  id?: string
  time?: string
}

/** A typed event, checked against its contract: `eventOf(events.OrderCreated, { … })`. */
export const eventOf = <T>(
  contract: EventContract<T>,
  payload: T,
  opts: { id?: string; time?: string } = {},
): PendingEvent => ({ contract: contract as EventContract<never>, payload, ...opts })

/** How a use case records its domain events: in tx, the transaction of the change they describe. */
export type Emit<E> = (tx: Tx, events: readonly E[]) => Promise<void>

/** The Emit of a service's domain events, each mapped to its contract events. */
export const emitterOf =
  <E>(
    events: Pick<ServiceEvents, 'emit'>,
    toContract: (event: E) => PendingEvent | readonly PendingEvent[],
  ): Emit<E> =>
  (tx, list) =>
    events.emit(tx, list.flatMap(toContract))

/** What a handler knows of the delivery besides the payload; `tx` is the inbox transaction of its effect. */
export interface Delivery {
  event: DeliveredEvent
  tx: Tx
}

type TxHandler<N extends EventName> = (payload: PayloadOf<Events[N]>, delivery: Delivery) => Promise<void>
type PlainHandler<N extends EventName> = (
  payload: PayloadOf<Events[N]>,
  delivery: { event: DeliveredEvent },
) => Promise<void>

/** A handler per event name: `{ OrderCreated: async (order, { tx }) => … }`; the names are the group's types. */
export type EventHandlers = { [N in EventName]?: TxHandler<N> }
export type PlainEventHandlers = { [N in EventName]?: PlainHandler<N> }

export interface ServiceEventOptions extends Pick<SubscribeOptions, 'concurrency' | 'transient'> {}

/** The events a service emits (into its outbox) and consumes (from the bus). */
export interface ServiceEvents {
  /** Records events in tx, the transaction of the change they describe; the relay publishes them after commit. */
  emit<T>(tx: Tx, contract: EventContract<T>, payload: T): Promise<void>
  emit(tx: Tx, pending: readonly PendingEvent[]): Promise<void>
  /**
   * Every event of these types is handled once by one instance of the group: the handler runs in the
   * transaction that records the event in the group's inbox, so a redelivery is acknowledged without an effect.
   */
  subscribe(group: string, handlers: EventHandlers, opts?: ServiceEventOptions): Promise<Subscription>
  listen(group: string, handlers: PlainEventHandlers, opts?: ServiceEventOptions): Promise<Subscription>
}

/** The events of a service that keeps no database: it can only listen. */
export type ListeningEvents = Pick<ServiceEvents, 'listen'>

const malformed = (event: DeliveredEvent, err: unknown) =>
  new AppError(
    'invalid_argument',
    'EVENT_MALFORMED',
    `${event.type} ${event.id}: the payload does not decode`,
    {
      cause: err,
    },
  )

const notFromOwner = (event: DeliveredEvent, owner: string) =>
  new AppError(
    'permission_denied',
    'EVENT_SOURCE_NOT_OWNER',
    `${event.type} ${event.id} comes from ${JSON.stringify(event.source)}: only ${eventSource(owner)} emits it`,
  )

const notSignedByOwner = (event: DeliveredEvent, owner: string, problem: SignatureProblem) =>
  new AppError(
    'permission_denied',
    'EVENT_SIGNATURE_REFUSED',
    `${event.type} ${event.id}: ${problem.replaceAll('_', ' ')}: only ${owner}'s certificate signs it`,
  )

/** Why a delivered event is refused before any handler runs. */
export type RejectReason = 'source_not_owner' | SignatureProblem

/** Called when a delivered event is refused before any handler runs. */
type OnRejected = (event: DeliveredEvent, reason: RejectReason) => void

/**
 * Picks the handler of a delivered event and decodes its payload with the event's contract. An event whose
 * source is not its type's owner, or (with a verifier) not signed by the owner's certificate, is refused
 * first: a non-retryable error, so it goes to the dead letters at once and neither the inbox nor a handler
 * ever sees it (a forged event cannot take a genuine one's id in the inbox).
 */
function dispatcher<H>(
  handlers: Partial<Record<EventName, H>>,
  onRejected?: OnRejected,
  verify?: EventVerifier,
) {
  const byType = new Map<string, { contract: EventContract; handler: H }>()
  for (const [name, handler] of Object.entries(handlers) as Array<[EventName, H | undefined]>) {
    const contract = events[name] as EventContract | undefined
    if (!contract) throw new Error(`no event named ${name} in the contracts`)
    if (handler) byType.set(contract.type, { contract, handler })
  }
  if (byType.size === 0) throw new Error('a subscription needs at least one handler')
  return {
    types: [...byType.keys()],
    route(event: DeliveredEvent) {
      const entry = byType.get(event.type)
      if (!entry) throw new AppError('internal', 'EVENT_UNEXPECTED', `no handler for ${event.type}`)
      if (event.source !== eventSource(entry.contract.owner)) {
        onRejected?.(event, 'source_not_owner')
        throw notFromOwner(event, entry.contract.owner)
      }
      const problem = verify?.(event, entry.contract.owner)
      if (problem) {
        onRejected?.(event, problem)
        throw notSignedByOwner(event, entry.contract.owner, problem)
      }
      let payload: unknown
      try {
        payload = entry.contract.payload.decode(event.data)
      } catch (err) {
        throw malformed(event, err)
      }
      return { handler: entry.handler, payload }
    },
  }
}

/** The contract event as the outbox records it: type, subject and encoded payload from the contract. */
export function toNewEvent(pending: PendingEvent): NewEvent {
  const { contract, payload } = pending
  const typed = contract as EventContract<unknown>
  return {
    type: typed.type,
    subject: typed.subjectOf(payload),
    data: typed.payload.encode(payload).finish(),
    ...(pending.id ? { id: pending.id } : {}),
    ...(pending.time ? { time: pending.time } : {}),
  }
}

/** What the typed layer records of each emit and each delivery: the spans and the counts. */
export interface EventTelemetry {
  telemetry: Telemetry
  metrics: Metrics
}

// messaging.system: the event log the bus runs on (postgres, nats), as the relay's publish counts it
type Traced = EventTelemetry & { system: string }
const tracedOn = (bus: EventBus, obs: EventTelemetry | undefined): Traced | undefined =>
  obs && { ...obs, system: bus.kind }

/**
 * Runs a delivery's work in a consumer span, the child of the span that emitted the event (its traceparent),
 * and counts it by outcome: handled, duplicate (the inbox had it) or failed.
 */
function consumed(
  obs: Traced | undefined,
  group: string,
  event: DeliveredEvent,
  work: () => Promise<'handled' | 'duplicate'>,
): Promise<void> {
  if (!obs) return work().then(() => undefined)
  const started = performance.now()
  const contract = eventByType(event.type)
  let outcome = 'failed'
  return obs.telemetry
    .span(
      `process ${event.type}`,
      {
        kind: SpanKind.CONSUMER,
        parent: event.traceparent,
        attributes: {
          'messaging.system': obs.system,
          'messaging.operation.type': 'process',
          'messaging.consumer.group.name': group,
          'messaging.destination.name': event.type,
          'messaging.message.id': event.id,
          'messaging.message.delivery_attempt': event.attempt,
          ...(contract ? { [`${contract.subjectKind}.id`]: event.subject } : {}),
        },
      },
      async (span) => {
        outcome = await work()
        if (outcome === 'duplicate') span.setAttribute('microshop.duplicate', true)
      },
    )
    .finally(() =>
      obs.metrics.processed.observe(
        {
          messaging_system: obs.system,
          messaging_consumer_group_name: group,
          event_type: event.type,
          outcome,
        },
        (performance.now() - started) / 1000,
      ),
    )
}

/** Counts and logs the events a group refuses before their handler. */
const onRejected =
  (obs: EventTelemetry | undefined, log: Logger | undefined, group: string): OnRejected =>
  (event, reason) => {
    obs?.metrics.rejected.inc({ messaging_consumer_group_name: group, event_type: event.type, reason })
    log?.warn(
      { group, eventId: event.id, type: event.type, source: event.source, reason },
      reason === 'source_not_owner'
        ? 'event refused: its source is not the owner of its type'
        : 'event refused: it is not signed by the owner of its type',
    )
  }

/** Counts the events a group gives up on. */
const onDeadLetter = (obs: EventTelemetry | undefined, group: string) =>
  obs &&
  ((event: { type: string }) =>
    obs.metrics.deadLettered.inc({ messaging_consumer_group_name: group, event_type: event.type }))

export function createListener(deps: {
  service: string
  bus: EventBus
  obs?: EventTelemetry
  log?: Logger
  /** Checks each event's signature (when TLS is configured): the owner's certificate, chained to the CA. */
  verify?: EventVerifier | undefined
}): ListeningEvents {
  const obs = tracedOn(deps.bus, deps.obs)
  return {
    async listen(group, handlers, opts = {}) {
      const { types, route } = dispatcher<PlainHandler<EventName>>(
        handlers,
        onRejected(deps.obs, deps.log, group),
        deps.verify,
      )
      return deps.bus.subscribe(
        group,
        types,
        (event) =>
          consumed(obs, group, event, async () => {
            const { handler, payload } = route(event)
            await handler(payload as never, { event })
            return 'handled'
          }),
        { ...opts, onDeadLetter: onDeadLetter(deps.obs, group) },
      )
    },
  }
}

export function createServiceEvents(deps: {
  service: string
  bus: EventBus
  db: Db
  outbox: Outbox
  obs?: EventTelemetry
  log?: Logger
  verify?: EventVerifier | undefined
}): ServiceEvents {
  const { service, bus, db, outbox } = deps
  const obs = tracedOn(bus, deps.obs)
  const own = (contract: EventContract<never>) => {
    if (contract.owner !== service)
      throw new Error(`${service} cannot emit ${contract.type}: only ${contract.owner} does`)
    return contract
  }
  return {
    ...createListener(deps),
    async emit(tx: Tx, contractOrList: EventContract<unknown> | readonly PendingEvent[], payload?: unknown) {
      const pending: readonly PendingEvent[] = Array.isArray(contractOrList)
        ? contractOrList
        : [{ contract: contractOrList as EventContract<never>, payload }]
      if (pending.length === 0) return
      for (const p of pending) own(p.contract)
      const events = pending.map(toNewEvent)
      if (!obs) return outbox.append(tx, events)
      // the producer span: its context travels in each event, so that a consumer's span is its child
      const types = [...new Set(events.map((e) => e.type))]
      const subjects = Object.fromEntries(
        pending.map((p) => [`${p.contract.subjectKind}.id`, p.contract.subjectOf(p.payload as never)]),
      )
      await obs.telemetry.span(
        `send ${types.join(' ')}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': obs.system,
            'messaging.operation.type': 'send',
            'messaging.destination.name': 'outbox',
            'messaging.batch.message_count': events.length,
            ...subjects,
          },
        },
        () => outbox.append(tx, events),
      )
    },
    async subscribe(group, handlers, opts = {}) {
      const { types, route } = dispatcher<TxHandler<EventName>>(
        handlers,
        onRejected(deps.obs, deps.log, group),
        deps.verify,
      )
      return bus.subscribe(
        group,
        types,
        (event) => {
          const { handler, payload } = route(event)
          return consumed(obs, group, event, () =>
            db.tx(async (tx) => {
              if (!(await recordInInbox(tx, group, event.id))) return 'duplicate'
              await handler(payload as never, { event, tx })
              return 'handled'
            }),
          )
        },
        { ...opts, onDeadLetter: onDeadLetter(obs, group) },
      )
    },
  } as ServiceEvents
}
