import { describe, expect, it } from 'vitest'
import { createCoalescer } from './coalesce.js'

/** A read the test finishes when it likes. */
function pendingRead<T>() {
  let finish!: (value: T) => void
  let fail!: (err: Error) => void
  const promise = new Promise<T>((resolve, reject) => {
    finish = resolve
    fail = reject
  })
  return { promise, finish, fail }
}

describe('coalescer', () => {
  it('when calls for a key come while one is under way, then they share its one read and its result', async () => {
    const coalescer = createCoalescer<number>()
    const reads: Array<ReturnType<typeof pendingRead<number>>> = []
    const read = () => {
      const r = pendingRead<number>()
      reads.push(r)
      return r.promise
    }
    const answers = [coalescer.run('mug', read), coalescer.run('mug', read), coalescer.run('mug', read)]
    const other = coalescer.run('lamp', read)
    expect(reads).toHaveLength(2)
    reads[0]!.finish(4)
    reads[1]!.finish(9)
    expect(await Promise.all(answers)).toEqual([4, 4, 4])
    expect(await other).toBe(9)
  })

  it('when the read has settled, then the next call reads again: nothing is kept', async () => {
    const coalescer = createCoalescer<number>()
    let reads = 0
    expect(await coalescer.run('mug', async () => ++reads)).toBe(1)
    expect(await coalescer.run('mug', async () => ++reads)).toBe(2)
    expect(coalescer.size).toBe(0)
  })

  it('when the read fails, then everyone who shared it gets the failure, and the key is free again', async () => {
    const coalescer = createCoalescer<number>()
    const r = pendingRead<number>()
    const a = coalescer.run('mug', () => r.promise)
    const b = coalescer.run('mug', () => Promise.resolve(1))
    r.fail(new Error('inventory is down'))
    await expect(a).rejects.toThrow('inventory is down')
    await expect(b).rejects.toThrow('inventory is down')
    expect(await coalescer.run('mug', async () => 7)).toBe(7)
  })
})
