import { isAppError } from '../errors.js'
import type { Logger } from '../logger.js'
import { backoffDelay, sleep } from './backoff.js'
import type { CloudEvent } from './cloud-event.js'
import type { EventHandler, ResolvedSubscribeOptions } from './event-bus.js'

export type DeliveryOutcome =
  | { outcome: 'handled' }
  | { outcome: 'failed'; error: string; attempts: number }
  | { outcome: 'aborted' }

const MAX_ERROR_LENGTH = 1_000

export const errorText = (err: unknown) =>
  (isAppError(err)
    ? `${err.code}: ${err.message}`
    : err instanceof Error
      ? `${err.name}: ${err.message}`
      : String(err)
  ).slice(0, MAX_ERROR_LENGTH)

/**
 * Wraps one attempt: resolves true once `run` (the handler) succeeded, false when it chose not to run it
 * (the attempt could not be recorded), and rejects with the handler's error.
 */
export type AttemptRunner = (attempt: number, run: () => Promise<void>) => Promise<boolean>

const runDirectly: AttemptRunner = async (_, run) => {
  await run()
  return true
}

/** The reason of an event whose earlier deliveries all ended with its consumer gone. */
export const stoppedEachTime = (deliveries: number) =>
  `delivered ${deliveries} times without an outcome (its consumer stopped each time)`

/**
 * Runs the handler until it succeeds or maxAttempts is reached, waiting with backoff in between; the
 * caller keeps the subject blocked meanwhile, which is what keeps a subject's events in order.
 */
export async function deliver(args: {
  event: CloudEvent
  position: number
  group: string
  firstAttempt: number
  handler: EventHandler
  opts: ResolvedSubscribeOptions
  signal: AbortSignal
  log: Logger
  /** Around each attempt; the handler is called directly when there is none. */
  runAttempt?: AttemptRunner
}): Promise<DeliveryOutcome> {
  const { event, opts, signal } = args
  const runAttempt = args.runAttempt ?? runDirectly
  for (let attempt = args.firstAttempt; ; attempt++) {
    if (signal.aborted) return { outcome: 'aborted' }
    try {
      const ran = await runAttempt(attempt, () =>
        args.handler({ ...event, position: args.position, attempt }),
      )
      return ran ? { outcome: 'handled' } : { outcome: 'aborted' }
    } catch (err) {
      // an error that says trying again cannot help (bad data, a broken rule) is not retried
      if (attempt >= opts.maxAttempts || (isAppError(err) && !err.retryable))
        return { outcome: 'failed', error: errorText(err), attempts: attempt }
      const delayMs = backoffDelay(attempt, opts.backoffMs, opts.maxBackoffMs)
      args.log.warn(
        { err, group: args.group, eventId: event.id, type: event.type, attempt, delayMs },
        'event handler failed, will retry',
      )
      await sleep(delayMs, signal)
    }
  }
}
