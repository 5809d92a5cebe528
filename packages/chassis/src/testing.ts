// The shared test toolkit: waiting for a witness instead of sleeping, checking failures, clocks moved by hand.
// Tests import it as `@microshop/chassis/testing`; nothing in a service does.

import type { EventContract } from '@microshop/contracts/events'
import type { Queryable } from './db.js'
import type { Discovery } from './discovery.js'
import { type AppError, type ErrorKind, isAppError } from './errors.js'
import { type CloudEvent, eventSource, toCloudEvent } from './events/cloud-event.js'
import type { EventBus } from './events/event-bus.js'
import { eventOf, toNewEvent } from './events/service-events.js'
import { createLogger } from './logger.js'
import type { ReadableSpan, SpanExporter } from './telemetry.js'

export interface WaitOptions {
  /** Give up after this long. Default 15 s: generous, because a busy CI machine is slow, not wrong. */
  timeoutMs?: number
  /** Time between two looks. Default 25 ms. */
  everyMs?: number
  /** What is awaited, for the failure message. */
  what?: string
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs check until it stops throwing and returns what it returned; fails with its last error after the timeout. */
export async function eventually<T>(check: () => T | Promise<T>, opts: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000)
  for (;;) {
    try {
      return await check()
    } catch (err) {
      if (Date.now() > deadline) {
        const what = opts.what ? `${opts.what}: ` : ''
        throw new Error(
          `${what}still failing after ${opts.timeoutMs ?? 15_000} ms: ${(err as Error).message}`,
          {
            cause: err,
          },
        )
      }
    }
    await delay(opts.everyMs ?? 25)
  }
}

/** Polls probe until it answers a truthy value (the witness) and returns it. */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  opts: WaitOptions = {},
): Promise<NonNullable<T>> {
  let last: T | undefined
  return eventually(async () => {
    last = await probe()
    if (!last) throw new Error(`not yet (last seen: ${JSON.stringify(last)?.slice(0, 300)})`)
    return last as NonNullable<T>
  }, opts)
}

/** The AppError the promise rejects with, checked to have this code (and kind); any other outcome throws. */
export async function expectFailure(
  promise: Promise<unknown>,
  expected: string | { code: string; kind?: ErrorKind },
): Promise<AppError> {
  const { code, kind } = typeof expected === 'string' ? { code: expected, kind: undefined } : expected
  let outcome: unknown
  try {
    outcome = await promise
  } catch (err) {
    if (!isAppError(err)) throw new Error(`expected ${code}, got ${String(err)}`, { cause: err })
    if (err.code !== code || (kind && err.kind !== kind))
      throw new Error(`expected ${kind ?? ''} ${code}, got ${err.kind} ${err.code}: ${err.message}`, {
        cause: err,
      })
    return err
  }
  throw new Error(`expected ${code}, but it succeeded with ${JSON.stringify(outcome)?.slice(0, 300)}`)
}

/**
 * That a duplicate has no second effect, proven by a witness rather than by waiting: the duplicate is
 * delivered, then a later event the consumer can only handle after it (same group, same subject); once the
 * witness's effect shows, the duplicate has been handled too, and the count of effects must not have moved.
 */
export async function expectNoSecondEffect(opts: {
  count: () => Promise<number>
  duplicate: () => Promise<unknown>
  witness: () => Promise<unknown>
  witnessed: () => Promise<boolean>
  what?: string
  timeoutMs?: number
}): Promise<void> {
  const before = await opts.count()
  await opts.duplicate()
  await opts.witness()
  await waitFor(opts.witnessed, {
    what: `the witness of ${opts.what ?? 'the duplicate'}`,
    timeoutMs: opts.timeoutMs,
  })
  const after = await opts.count()
  if (after !== before)
    throw new Error(`${opts.what ?? 'the duplicate'} had a second effect: ${before} before, ${after} after`)
}

/** True once the consumer group has recorded the event in its inbox: its effect is committed. */
export async function inboxRecorded(db: Queryable, group: string, eventId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'select 1 from event_inbox where consumer_group = $1 and event_id = $2',
    [group, eventId],
  )
  return (rowCount ?? 0) > 0
}

/** A clock that moves only when told: hand `clock.now` to a service, then `advance` past a TTL. */
export function manualClock(start: Date | string = '2026-06-01T12:00:00.000Z') {
  let at = new Date(start).getTime()
  return {
    now: () => new Date(at),
    advance(ms: number) {
      at += ms
    },
    set(date: Date | string) {
      at = new Date(date).getTime()
    },
  }
}

export type ManualClock = ReturnType<typeof manualClock>

/** A logger that writes nothing, for code under test that wants one. */
export const silentLogger = createLogger({ service: 'test', instance: 'test', level: 'silent' })

/** Discovery that always answers the given targets (or whatever the function returns now). */
export function staticDiscovery(targets: string[] | (() => string[])): Discovery {
  return {
    resolve: async () => (typeof targets === 'function' ? targets() : targets),
    invalidate: () => undefined,
    register: async () => undefined,
    deregister: async () => undefined,
    close: async () => undefined,
  }
}

/**
 * Publishes one contract event on the bus as its owner's relay would, and answers it (with its id); `sign`
 * (`createEventSigner` of a certificate) signs it, as a producer with TLS does.
 */
export async function publishEvent<T>(
  bus: EventBus,
  contract: EventContract<T>,
  payload: T,
  opts: { id?: string; time?: string; sign?: (event: CloudEvent) => CloudEvent } = {},
): Promise<CloudEvent> {
  const { sign = (e: CloudEvent) => e, ...eventOpts } = opts
  const event = sign(
    toCloudEvent(eventSource(contract.owner), toNewEvent(eventOf(contract, payload, eventOpts))),
  )
  await bus.publish([event])
  return event
}

/** A span sink for `spanExporter`: every span a service ends, kept through its shutdown (the SDK's in-memory one clears there). */
export function spanCollector() {
  const spans: ReadableSpan[] = []
  const exporter: SpanExporter = {
    export(batch, done) {
      spans.push(...batch)
      done({ code: 0 })
    },
    shutdown: async () => undefined,
  }
  const named = (name: string) => spans.filter((s) => s.name === name)
  return {
    exporter,
    spans,
    /** The spans of that name. */
    named,
    /** The one span of that name; fails when there is none or several. */
    one(name: string): ReadableSpan {
      const found = named(name)
      if (found.length !== 1)
        throw new Error(`${found.length} spans named ${name}: ${spans.map((s) => s.name).join(', ')}`)
      return found[0]!
    },
    /** The spans of one trace. */
    trace: (traceId: string) => spans.filter((s) => s.spanContext().traceId === traceId),
  }
}
