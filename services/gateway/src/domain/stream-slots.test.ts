import { describe, expect, it } from 'vitest'
import { createStreamSlots } from './stream-slots.js'

const released = (slot: ReturnType<ReturnType<typeof createStreamSlots>['take']>) => {
  if (!('release' in slot)) throw new Error(`refused: ${slot.refused}`)
  return slot.release
}

describe('stream slots', () => {
  it('when a user has all their streams open, then the next is refused for the user, others still open', () => {
    const slots = createStreamSlots({ perUser: 2, total: 10 })
    released(slots.take('ann'))
    released(slots.take('ann'))
    expect(slots.take('ann')).toEqual({ refused: 'user' })
    released(slots.take('bob'))
    expect(slots.open).toBe(3)
  })

  it('when the process has all its streams open, then anyone’s next is refused as total', () => {
    const slots = createStreamSlots({ perUser: 5, total: 2 })
    released(slots.take('ann'))
    released(slots.take('bob'))
    expect(slots.take('cat')).toEqual({ refused: 'total' })
  })

  it('when a stream closes, then its slot is free again, and releasing twice frees it once', () => {
    const slots = createStreamSlots({ perUser: 1, total: 1 })
    const release = released(slots.take('ann'))
    release()
    release()
    expect(slots.open).toBe(0)
    released(slots.take('ann'))
    expect(slots.take('bob')).toEqual({ refused: 'total' })
  })
})
