import type { CloudEvent } from './cloud-event.js'

/** Events of one subject share a partition; a group's instances divide the partitions among them. */
export const PARTITIONS = 8

/** An event handed to a handler, with where it sits in the log and how often it was tried. */
export interface DeliveredEvent extends CloudEvent {
  /** Its place in the log; `replay(group, { position })` starts from such a value. */
  position: number
  /** 1 on the first try; counts the retries (and, on NATS, the redeliveries). */
  attempt: number
}

/** Resolves when the event is handled; throws to have it retried, then dead-lettered. */
export type EventHandler = (event: DeliveredEvent) => Promise<void>

export interface SubscribeOptions {
  /** Events handled at once by this instance; events of one subject never run together. Default 8. */
  concurrency?: number
  /** Tries before the event goes to the dead letters. Default 5. */
  maxAttempts?: number
  /** Delay before the first retry, doubled each time up to maxBackoffMs. Default 200. */
  backoffMs?: number
  maxBackoffMs?: number
  /** Where a group that does not exist yet starts. Default 'earliest'. */
  startAt?: 'earliest' | 'latest'
  /** NATS: a delivery left unanswered this long (its consumer died) goes to another instance. Default 30 s. */
  ackTimeoutMs?: number
  /**
   * A group of one instance, for state that lives in that process (a cache): name it after the instance.
   * It starts at the end of the log, each run of the process afresh (what a dead run left is removed as the
   * next one starts, or once left idle), and is removed when it stops. On Postgres it counts no attempts (no
   * other process takes it over) and stores its positions at most once a second.
   */
  transient?: boolean
  /** Called when an event goes to the dead letters (to count them). */
  onDeadLetter?: ((event: CloudEvent, error: string) => void) | undefined
}

export type ResolvedSubscribeOptions = Required<Omit<SubscribeOptions, 'onDeadLetter'>> &
  Pick<SubscribeOptions, 'onDeadLetter'>

export function resolveSubscribeOptions(opts: SubscribeOptions = {}): ResolvedSubscribeOptions {
  const resolved = {
    concurrency: opts.concurrency ?? 8,
    maxAttempts: opts.maxAttempts ?? 5,
    backoffMs: opts.backoffMs ?? 200,
    maxBackoffMs: opts.maxBackoffMs ?? 30_000,
    startAt: opts.transient ? 'latest' : (opts.startAt ?? 'earliest'),
    ackTimeoutMs: opts.ackTimeoutMs ?? 30_000,
    transient: opts.transient ?? false,
    onDeadLetter: opts.onDeadLetter,
  }
  for (const key of ['concurrency', 'maxAttempts', 'ackTimeoutMs'] as const)
    if (!Number.isInteger(resolved[key]) || resolved[key] < 1)
      throw new Error(`${key} must be a positive integer`)
  return resolved
}

/** How far a group is behind the log: events not handled yet, and the age of the oldest of them. */
export interface Lag {
  events: number
  seconds: number
}

export interface Subscription {
  readonly group: string
  /** How far this subscription's group is behind. */
  lag(): Promise<Lag>
  /** Stops taking events, waits for the handlers running now, and gives the group's work to the others. */
  stop(): Promise<void>
}

/** An event a group gave up on, kept until it is re-driven. */
export interface DeadLetter {
  id: string
  group: string
  event: CloudEvent
  position: number
  error: string
  attempts: number
  failedAt: Date
}

/** Replays the events at or after a log position, or appended at or after a time. */
export type ReplayFrom = { position: number } | { time: Date }

/** What an event type is named by in a subscription: its type, its contract, or a test's definition. */
export type EventTypeRef = string | { readonly type: string } | { readonly name: string }

/**
 * The event log: at-least-once delivery, in order per subject, to consumer groups that share the work
 * among their instances. Handlers must be idempotent: wrap them with `withInbox` when they change a database.
 */
export interface EventBus {
  readonly kind: 'postgres' | 'nats'
  /** Appends events to the log in order; an event id already in the log is not appended again. */
  publish(events: readonly CloudEvent[]): Promise<void>
  /** Every event of these types is handled once by one instance of the group (and again after a crash). */
  subscribe(
    group: string,
    types: readonly EventTypeRef[],
    handler: EventHandler,
    opts?: SubscribeOptions,
  ): Promise<Subscription>
  /** The events the group gave up on, oldest first. */
  deadLetters(group: string): Promise<DeadLetter[]>
  /** Hands dead letters (all, or those with these ids) back to the group; returns how many. */
  redrive(group: string, ids?: readonly string[]): Promise<number>
  /** Moves the group back (or forward) to a position or a time; stop the group's subscriptions first. */
  replay(group: string, from: ReplayFrom): Promise<void>
  /** Stops this process's subscriptions and closes the connections. */
  close(): Promise<void>
}

const GROUP_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/

export function checkGroupName(group: string): void {
  if (!GROUP_NAME.test(group))
    throw new Error(`consumer group ${JSON.stringify(group)}: lowercase letters, digits, - and _, at most 63`)
}

export const typeNames = (types: readonly EventTypeRef[]) =>
  [...new Set(types.map((t) => (typeof t === 'string' ? t : 'type' in t ? t.type : t.name)))].sort()
