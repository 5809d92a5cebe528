import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { silentLogger } from './testing.js'
import { type RunOutcome, startTimer } from './timer.js'

/** A run that stays in progress until released: it shows what happens while work is under way. */
function gatedRun() {
  const gates: Array<() => void> = []
  let runs = 0
  return {
    get runs() {
      return runs
    },
    run: () => {
      runs++
      return new Promise<undefined>((resolve) => gates.push(() => resolve(undefined)))
    },
    release: () => gates.shift()?.(),
  }
}

describe('startTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('when started, then it runs after each interval, not at once; with runAtStart, at once', async () => {
    let runs = 0
    const timer = startTimer(
      { name: 't', intervalMs: 1_000, jitter: 0, run: () => void runs++ },
      silentLogger,
    )
    await vi.advanceTimersByTimeAsync(999)
    expect(runs).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(runs).toBe(1)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(runs).toBe(2)
    await timer.stop()

    let early = 0
    const eager = startTimer(
      { name: 'e', intervalMs: 1_000, runAtStart: true, run: () => void early++ },
      silentLogger,
    )
    await vi.advanceTimersByTimeAsync(0)
    expect(early).toBe(1)
    await eager.stop()
  })

  it('when woken during a run, then it never overlaps and runs once more right after', async () => {
    const work = gatedRun()
    const timer = startTimer({ name: 'g', intervalMs: 60_000, run: work.run }, silentLogger)
    timer.wake()
    expect(work.runs).toBe(1)
    timer.wake()
    timer.wake()
    expect(work.runs).toBe(1)
    work.release()
    await vi.advanceTimersByTimeAsync(0)
    expect(work.runs).toBe(2)
    work.release()
    await vi.advanceTimersByTimeAsync(0)
    // the two wakes during the first run asked for one more run, not two
    expect(work.runs).toBe(2)
    await timer.stop()
  })

  it("when a run answers 'again', then it runs again at once; 'done' ends the timer", async () => {
    const outcomes: RunOutcome[] = ['again', 'again', 'done']
    let runs = 0
    const timer = startTimer(
      { name: 'batches', intervalMs: 60_000, runAtStart: true, run: () => outcomes[runs++] },
      silentLogger,
    )
    await vi.advanceTimersByTimeAsync(10)
    await timer.finished
    expect(runs).toBe(3)
    timer.wake()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(runs).toBe(3)
  })

  it('when a run fails, then it is logged and tried again at the next interval', async () => {
    const warn = vi.spyOn(silentLogger, 'warn')
    let runs = 0
    const timer = startTimer(
      {
        name: 'flaky',
        intervalMs: 1_000,
        jitter: 0,
        run: () => {
          runs++
          if (runs === 1) throw new Error('database away')
          return undefined
        },
      },
      silentLogger,
    )
    await vi.advanceTimersByTimeAsync(1_000)
    expect(runs).toBe(1)
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ work: 'flaky' }),
      expect.stringContaining('flaky'),
    )
    await vi.advanceTimersByTimeAsync(1_000)
    expect(runs).toBe(2)
    await timer.stop()
    warn.mockRestore()
  })

  it('when stopped during a run, then the signal aborts and stop waits for the run to end', async () => {
    let seen: AbortSignal | undefined
    const work = gatedRun()
    const timer = startTimer(
      {
        name: 's',
        intervalMs: 1_000,
        run: (signal) => {
          seen = signal
          return work.run()
        },
      },
      silentLogger,
    )
    timer.wake()
    let stopped = false
    const stopping = timer.stop().then(() => {
      stopped = true
    })
    await vi.advanceTimersByTimeAsync(0)
    expect(seen?.aborted).toBe(true)
    expect(stopped).toBe(false)
    work.release()
    await stopping
    expect(stopped).toBe(true)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(work.runs).toBe(1)
  })

  it('when replicas start together, then jitter spreads their runs over ±jitter × interval', async () => {
    const firstRunAt: number[] = []
    const timers = Array.from({ length: 20 }, () =>
      startTimer(
        { name: 'j', intervalMs: 1_000, jitter: 0.5, run: () => void firstRunAt.push(Date.now()) },
        silentLogger,
      ),
    )
    const start = Date.now()
    await vi.advanceTimersByTimeAsync(1_500)
    const offsets = firstRunAt.slice(0, 20).map((t) => t - start)
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(500)
    expect(Math.max(...offsets)).toBeLessThanOrEqual(1_500)
    expect(new Set(offsets).size).toBeGreaterThan(1)
    await Promise.all(timers.map((t) => t.stop()))
  })
})
