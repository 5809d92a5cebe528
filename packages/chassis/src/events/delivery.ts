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
  (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, MAX_ERROR_LENGTH)

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
}): Promise<DeliveryOutcome> {
  const { event, opts, signal } = args
  for (let attempt = args.firstAttempt; ; attempt++) {
    if (signal.aborted) return { outcome: 'aborted' }
    try {
      await args.handler({ ...event, position: args.position, attempt })
      return { outcome: 'handled' }
    } catch (err) {
      if (attempt >= opts.maxAttempts) return { outcome: 'failed', error: errorText(err), attempts: attempt }
      const delayMs = backoffDelay(attempt, opts.backoffMs, opts.maxBackoffMs)
      args.log.warn(
        { err, group: args.group, eventId: event.id, type: event.type, attempt, delayMs },
        'event handler failed, will retry',
      )
      await sleep(delayMs, signal)
    }
  }
}
