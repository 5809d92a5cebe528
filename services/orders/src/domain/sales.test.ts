import { describe, expect, it } from 'vitest'
import { foldOrder, type OrderEvent, type RecordedEvent } from './order.js'
import { salesEffect } from './sales.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })
const events: OrderEvent[] = [
  {
    type: 'OrderPlaced',
    data: {
      orderId: '0b8f8a3c-1f7e-4c9e-9d43-3a4b5c6d7e8f',
      userId: 'u',
      email: 'e@example.com',
      lines: [
        { productId: 'p1', name: 'A', quantity: 2, unitPrice: usd(100), lineTotal: usd(200), weightGrams: 1 },
        { productId: 'p2', name: 'B', quantity: 1, unitPrice: usd(50), lineTotal: usd(50), weightGrams: 1 },
      ],
      subtotal: usd(250),
      shipping: usd(10),
      total: usd(260),
      shippingAddress: {
        name: 'n',
        line1: 'l',
        line2: '',
        city: 'c',
        region: '',
        postalCode: 'p',
        country: 'US',
        phone: '',
      },
      paymentToken: 't',
      paymentSummary: 's',
      reservationId: 'r',
      reservationExpiresAt: '',
    },
  },
  { type: 'OrderConfirmed', data: { paymentId: 'pay', amount: usd(260) } },
  { type: 'OrderCancelled', data: { reason: 'customer_cancelled', previousStatus: 'CONFIRMED', detail: '' } },
]
const days = ['2026-03-01T23:59:00.000Z', '2026-03-01T23:59:30.000Z', '2026-03-02T08:00:00.000Z']
const recorded: RecordedEvent[] = events.map((e, i) => ({ ...e, version: i + 1, recordedAt: days[i]! }))
const stateAt = (n: number) => foldOrder(recorded.slice(0, n))

describe('the sales view', () => {
  it('when an order is placed, then sales do not change; when it is confirmed, then its lines count on that day', () => {
    expect(salesEffect(undefined, recorded[0]!, stateAt(1)!)).toBeUndefined()
    expect(salesEffect(stateAt(1), recorded[1]!, stateAt(2)!)).toEqual({
      day: '2026-03-01',
      lines: [
        { productId: 'p1', quantity: 2, revenue: usd(200) },
        { productId: 'p2', quantity: 1, revenue: usd(50) },
      ],
      ordersConfirmed: 1,
      ordersCancelled: 0,
    })
  })

  it('when a confirmed order is cancelled the next day, then its lines come off the day it was counted', () => {
    expect(salesEffect(stateAt(2), recorded[2]!, stateAt(3)!)).toEqual({
      day: '2026-03-01',
      lines: [
        { productId: 'p1', quantity: -2, revenue: usd(-200) },
        { productId: 'p2', quantity: -1, revenue: usd(-50) },
      ],
      ordersConfirmed: 0,
      ordersCancelled: 1,
    })
  })

  it('when an unpaid order is cancelled, then sales do not change', () => {
    const unpaid = { ...recorded[2]!, version: 2 } as RecordedEvent
    const cancelled = foldOrder([recorded[0]!, unpaid])!
    expect(salesEffect(stateAt(1), unpaid, cancelled)).toBeUndefined()
  })
})
