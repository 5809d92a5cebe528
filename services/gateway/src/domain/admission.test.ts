import { describe, expect, it } from 'vitest'
import { createAdmission, Overloaded } from './admission.js'

const released = async (slot: (() => void) | Promise<() => void>) => await slot

describe('admission', () => {
  it('when the limit is free, then a slot is given at once; released, it goes to the first waiter', async () => {
    const a = createAdmission({ limit: 1, queue: 2, maxWaitMs: 60_000 })
    const first = a.admit()
    expect(typeof first).toBe('function')
    const second = a.admit()
    const third = a.admit()
    expect(second).toBeInstanceOf(Promise)
    expect(a.waiting).toBe(2)
    const order: string[] = []
    void Promise.resolve(second).then(() => order.push('second'))
    void Promise.resolve(third).then(() => order.push('third'))
    ;(first as () => void)()
    const releaseSecond = await released(second)
    expect(a.working).toBe(1)
    releaseSecond()
    ;(await released(third))()
    expect(order).toEqual(['second', 'third'])
    expect(a.working).toBe(0)
  })

  it('when the queue is full, then the next request is refused at once with a retry time', () => {
    const a = createAdmission({ limit: 1, queue: 1, maxWaitMs: 60_000 })
    a.admit()
    void a.admit()
    try {
      a.admit()
      expect.unreachable('a full queue must refuse')
    } catch (err) {
      expect(err).toBeInstanceOf(Overloaded)
      expect((err as Overloaded).reason).toBe('queue_full')
      expect((err as Overloaded).retryAfterMs).toBeGreaterThanOrEqual(100)
    }
  })

  it('when a waiter waits past maxWait, then it is refused and leaves the queue', async () => {
    const a = createAdmission({ limit: 1, queue: 5, maxWaitMs: 1 })
    a.admit()
    await expect(a.admit()).rejects.toMatchObject({ reason: 'wait_timeout' })
    expect(a.waiting).toBe(0)
  })

  it('when a slot is released twice, then it frees one slot only', async () => {
    const a = createAdmission({ limit: 1, queue: 1, maxWaitMs: 60_000 })
    const release = a.admit() as () => void
    release()
    release()
    expect(a.working).toBe(0)
    a.admit()
    expect(a.working).toBe(1)
  })
})
