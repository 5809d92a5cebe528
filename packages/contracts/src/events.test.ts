import { describe, expect, it } from 'vitest'
import { type EventContract, eventByType, events } from './events.js'

const all = Object.entries(events) as Array<[string, EventContract]>

describe('the event contracts', () => {
  it('when an event is declared, then its key is its name and its type is <owner>.<name>.v<version>', () => {
    for (const [key, e] of all) {
      expect(e.name).toBe(key)
      expect(e.type).toBe(`${e.owner}.${e.name}.v${e.version}`)
      expect(e.type).toMatch(/^[a-z][a-z0-9]*\.[A-Z][A-Za-z0-9]*\.v[1-9][0-9]*$/)
      expect(eventByType(e.type)).toBe(e)
    }
    expect(new Set(all.map(([, e]) => e.type)).size).toBe(all.length)
    expect(eventByType('orders.Nothing.v1')).toBeUndefined()
  })

  it('when a payload is encoded and decoded with its contract, then it comes back, and its subject is read from it', () => {
    const created = events.OrderCreated.payload.decode(
      events.OrderCreated.payload
        .encode({ ...events.OrderCreated.payload.decode(new Uint8Array()), orderId: 'o-7' })
        .finish(),
    )
    expect(created.orderId).toBe('o-7')
    expect(events.OrderCreated.subjectOf(created)).toBe('o-7')
    expect(events.StockLow.subjectOf({ productId: 'mug', available: 1, threshold: 5 })).toBe('mug')
  })
})
