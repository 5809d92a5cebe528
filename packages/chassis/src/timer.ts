import { IDLE_ROOT } from './idle-root.js'
import type { Logger } from './logger.js'
import { type Metrics, serviceCounter } from './metrics.js'
import type { Telemetry } from './telemetry.js'

/**
 * What a run asks for next: nothing (the next interval), `idle` (the same, and there was nothing to do: the
 * run leaves no trace), `again` (there is more: run at once) or `done` (no more runs).
 */
export type RunOutcome = undefined | 'idle' | 'again' | 'done'

export interface TimerSpec {
  /** Names the work in logs: `prune-carts`. */
  name: string
  /** Time between the end of one run and the start of the next. */
  intervalMs: number
  /** One run; the signal aborts when the service stops (finish the current step and return). */
  run(signal: AbortSignal): Promise<RunOutcome | undefined> | RunOutcome | undefined
  /** Spread over ±jitter × interval, so that replicas started together do not run together. Default 0.1. */
  jitter?: number
  /** Run once right at start rather than after the first interval. Default false. */
  runAtStart?: boolean
}

/** Periodic work of a service, started and stopped by the chassis. */
export interface Timer {
  /** There is work now: run at once (or right after the run in progress). */
  wake(): void
  /** Resolves when the work said `done` or the timer stopped. */
  readonly finished: Promise<void>
  /** Stops scheduling, aborts the signal and waits for the run in progress. */
  stop(): Promise<void>
}

/**
 * Runs spec.run on its interval, one run at a time: a wake-up during a run makes one more run right after
 * it, a failure is logged and the work tried again at the next interval.
 */
export function startTimer(spec: TimerSpec, log: Logger, metrics?: Metrics, telemetry?: Telemetry): Timer {
  const runs =
    metrics &&
    serviceCounter(metrics, 'microshop_timer_runs_total', 'Runs of periodic work, by work and outcome', [
      'work',
      'outcome',
    ])
  const jitter = spec.jitter ?? 0.1
  const abort = new AbortController()
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let wokenDuringRun = false
  let finish: () => void = () => undefined
  const finished = new Promise<void>((resolve) => {
    finish = resolve
  })

  const delay = () => Math.max(0, Math.round(spec.intervalMs * (1 + jitter * (2 * Math.random() - 1))))

  const schedule = (ms: number) => {
    clearTimeout(timer)
    if (abort.signal.aborted) return
    timer = setTimeout(runNow, ms)
    timer.unref()
  }

  const stopWith = () => {
    abort.abort()
    clearTimeout(timer)
    finish()
  }

  const traced = async () => {
    if (!telemetry) return (await spec.run(abort.signal)) ?? undefined
    return telemetry.span(
      spec.name,
      { root: true, attributes: { 'microshop.work': spec.name, [IDLE_ROOT]: false } },
      async (span) => {
        const outcome = (await spec.run(abort.signal)) ?? undefined
        if (outcome === 'idle') span.setAttribute(IDLE_ROOT, true)
        return outcome
      },
    )
  }

  const execute = async (): Promise<RunOutcome> => {
    const started = performance.now()
    try {
      const outcome = await traced()
      log.debug({ work: spec.name, ms: Math.round(performance.now() - started), outcome }, `${spec.name} ran`)
      runs?.inc({ work: spec.name, outcome: outcome ?? 'ok' })
      return outcome
    } catch (err) {
      log.warn({ err, work: spec.name }, `${spec.name} failed; trying again at the next interval`)
      runs?.inc({ work: spec.name, outcome: 'failed' })
      return undefined
    }
  }

  function runNow() {
    if (abort.signal.aborted) return
    if (running) {
      wokenDuringRun = true
      return
    }
    clearTimeout(timer)
    wokenDuringRun = false
    // then() runs after the assignment, even when the run finishes at once
    running = execute().then((outcome) => {
      running = undefined
      if (outcome === 'done') return stopWith()
      if (outcome === 'again' || wokenDuringRun) schedule(0)
      else schedule(delay())
    })
  }

  if (spec.runAtStart) schedule(0)
  else schedule(delay())

  return {
    wake: runNow,
    finished,
    async stop() {
      stopWith()
      await running
    },
  }
}
