import { describe, expect, it } from 'vitest'
import { createOrderStreams, createStreamCursor, type StatusEvent } from './order-streams.js'

const change = (orderId: string, status: StatusEvent['status'], version: number): StatusEvent => ({
  orderId,
  status,
  reason: '',
  at: '2026-11-21T20:00:00.000Z',
  version,
})

describe('order streams', () => {
  it('when a change is published, then only the streams of that order get it, and none after they stop', () => {
    const streams = createOrderStreams()
    const a: StatusEvent[] = []
    const b: StatusEvent[] = []
    const stopA = streams.watch('o-1', (e) => a.push(e))
    streams.watch('o-2', (e) => b.push(e))
    expect(streams.publish(change('o-1', 'CONFIRMED', 2))).toBe(1)
    stopA()
    streams.publish(change('o-1', 'SHIPPED', 3))
    expect(a.map((e) => e.status)).toEqual(['CONFIRMED'])
    expect(b).toEqual([])
    expect(streams.watchedOrders).toBe(1)
  })

  it('when one listener throws, then the other streams of the order still get the change', () => {
    const streams = createOrderStreams()
    const got: string[] = []
    streams.watch('o-1', () => {
      throw new Error('socket gone')
    })
    streams.watch('o-1', (e) => got.push(e.status))
    streams.publish(change('o-1', 'CONFIRMED', 2))
    expect(got).toEqual(['CONFIRMED'])
  })
})

describe('a stream cursor', () => {
  it('when changes repeat or arrive out of date, then each is sent once, in version order', () => {
    const cursor = createStreamCursor()
    const sent = [
      change('o', 'PENDING_PAYMENT', 1),
      change('o', 'PENDING_PAYMENT', 1),
      change('o', 'CONFIRMED', 2),
      change('o', 'PENDING_PAYMENT', 1),
      change('o', 'SHIPPED', 3),
    ].filter((e) => cursor.accept(e))
    expect(sent.map((e) => e.status)).toEqual(['PENDING_PAYMENT', 'CONFIRMED', 'SHIPPED'])
    expect(cursor.ended).toBe(false)
  })

  it('when a terminal status is sent, then the stream ends and takes nothing more', () => {
    const cursor = createStreamCursor()
    expect(cursor.accept(change('o', 'CANCELLED', 2))).toBe(true)
    expect(cursor.ended).toBe(true)
    expect(cursor.accept(change('o', 'DELIVERED', 5))).toBe(false)
  })
})
