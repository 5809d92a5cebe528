import { describe, expect, it } from 'vitest'
import { createKeyedQueue } from './keyed-queue.js'

const tick = () => new Promise((resolve) => setTimeout(resolve, 1))

describe('createKeyedQueue', () => {
  it('when tasks share a key, then they run one at a time in push order', async () => {
    const queue = createKeyedQueue(4)
    const log: string[] = []
    for (const n of [1, 2, 3])
      queue.push('a', async () => {
        log.push(`start ${n}`)
        await tick()
        log.push(`end ${n}`)
      })
    await queue.idle()
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3'])
  })

  it('when tasks have different keys, then up to the concurrency run at once, and a failure stops nothing', async () => {
    const queue = createKeyedQueue(2)
    let running = 0
    let most = 0
    let done = 0
    for (const key of ['a', 'b', 'c', 'd'])
      queue.push(key, async () => {
        running++
        most = Math.max(most, running)
        await tick()
        running--
        done++
        if (key === 'b') throw new Error('boom')
      })
    expect(queue.size).toBe(4)
    await queue.idle()
    expect({ most, done, size: queue.size }).toEqual({ most: 2, done: 4, size: 0 })
  })
})
