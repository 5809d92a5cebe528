import { describe, expect, it } from 'vitest'
import {
  canTransition,
  decideCancel,
  decideReaction,
  foldOrder,
  type OrderEvent,
  type OrderStatus,
  type RecordedEvent,
} from './order.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })
const placed: OrderEvent = {
  type: 'OrderPlaced',
  data: {
    orderId: '0b8f8a3c-1f7e-4c9e-9d43-3a4b5c6d7e8f',
    userId: 'user-1',
    email: 'ada@example.com',
    lines: [
      {
        productId: 'p1',
        name: 'Lamp',
        quantity: 2,
        unitPrice: usd(1_500),
        lineTotal: usd(3_000),
        weightGrams: 500,
      },
    ],
    subtotal: usd(3_000),
    shipping: usd(999),
    total: usd(3_999),
    shippingAddress: {
      name: 'Ada',
      line1: '1 Main St',
      line2: '',
      city: 'Springfield',
      region: '',
      postalCode: '12345',
      country: 'US',
      phone: '',
    },
    paymentToken: 'tok_1',
    paymentSummary: 'visa •••• 4242',
    reservationId: 'res-1',
    reservationExpiresAt: '2026-01-01T00:15:00.000Z',
  },
}

const recorded = (events: OrderEvent[]): RecordedEvent[] =>
  events.map((e, i) => ({ ...e, version: i + 1, recordedAt: `2026-01-01T00:0${i}:00.000Z` }))

const orderAfter = (...events: OrderEvent[]) => foldOrder(recorded([placed, ...events]))!

const succeeded = { kind: 'PaymentSucceeded', paymentId: 'pay-1', amount: usd(3_999) } as const
const dispatched = {
  kind: 'ShipmentDispatched',
  shipmentId: 's1',
  trackingNumber: 'TRK1',
  carrier: 'ACME',
} as const
const delivered = {
  kind: 'ShipmentDelivered',
  shipmentId: 's1',
  trackingNumber: 'TRK1',
  carrier: '',
  parcelsRemaining: 0,
} as const

describe('the order state machine', () => {
  it('when an order is placed, then it is PENDING_PAYMENT at version 1 with its totals and history', () => {
    const order = orderAfter()
    expect(order).toMatchObject({
      id: placed.data.orderId,
      status: 'PENDING_PAYMENT',
      version: 1,
      total: usd(3_999),
    })
    expect(order.history).toEqual([{ status: 'PENDING_PAYMENT', at: '2026-01-01T00:00:00.000Z', reason: '' }])
  })

  it('when the allowed transitions are listed, then only the forward path and early cancels exist', () => {
    const all: OrderStatus[] = ['PENDING_PAYMENT', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED']
    const allowed = all.flatMap((from) =>
      all.filter((to) => canTransition(from, to)).map((to) => `${from}>${to}`),
    )
    expect(allowed).toEqual([
      'PENDING_PAYMENT>CONFIRMED',
      'PENDING_PAYMENT>CANCELLED',
      'CONFIRMED>SHIPPED',
      'CONFIRMED>CANCELLED',
      'SHIPPED>DELIVERED',
    ])
  })

  it('when payment succeeds, then the order is confirmed; when it fails, then it is cancelled for payment_failed', () => {
    const confirmed = decideReaction(orderAfter(), succeeded)
    expect(confirmed).toEqual({
      events: [{ type: 'OrderConfirmed', data: { paymentId: 'pay-1', amount: usd(3_999) } }],
    })
    const failed = decideReaction(orderAfter(), {
      kind: 'PaymentFailed',
      code: 'card_declined',
      reason: 'declined',
    })
    expect(failed).toEqual({
      events: [
        {
          type: 'OrderCancelled',
          data: {
            reason: 'payment_failed',
            previousStatus: 'PENDING_PAYMENT',
            detail: 'card_declined: declined',
          },
        },
      ],
    })
  })

  it('when a payment succeeds for another amount or currency than the total, then the order is cancelled for payment_failed, not confirmed', () => {
    for (const amount of [
      usd(1),
      usd(3_998),
      { amount: 3_999, currency: 'EUR' },
      { amount: 0, currency: '' },
    ]) {
      const decision = decideReaction(orderAfter(), { ...succeeded, amount })
      expect(decision).toEqual({
        events: [
          {
            type: 'OrderCancelled',
            data: {
              reason: 'payment_failed',
              previousStatus: 'PENDING_PAYMENT',
              detail: expect.stringMatching(/^payment pay-1 captured .+, the order's total is 3999 USD$/),
            },
          },
        ],
      })
    }
  })

  it('when the whole happy path is folded, then the order is DELIVERED with every step in its history', () => {
    const order = orderAfter(
      { type: 'OrderConfirmed', data: { paymentId: 'pay-1', amount: usd(3_999) } },
      { type: 'OrderShipped', data: { shipmentId: 's1', trackingNumber: 'TRK1', carrier: 'ACME' } },
      { type: 'OrderDelivered', data: { shipmentId: 's1', trackingNumber: 'TRK1' } },
    )
    expect(order).toMatchObject({ status: 'DELIVERED', version: 4, trackingNumber: 'TRK1', carrier: 'ACME' })
    expect(order.confirmedAt).toBe('2026-01-01T00:01:00.000Z')
    expect(order.history.map((h) => h.status)).toEqual([
      'PENDING_PAYMENT',
      'CONFIRMED',
      'SHIPPED',
      'DELIVERED',
    ])
  })

  it('when a payment succeeds for a cancelled order, then the fact is ignored, not an error', () => {
    const cancelled = orderAfter({
      type: 'OrderCancelled',
      data: { reason: 'reservation_expired', previousStatus: 'PENDING_PAYMENT', detail: '' },
    })
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelReason: 'reservation_expired' })
    for (const reaction of [
      succeeded,
      dispatched,
      delivered,
      { kind: 'PaymentFailed', code: '', reason: '' } as const,
      { kind: 'ReservationExpired', reservationId: 'res-1' } as const,
    ])
      expect(decideReaction(cancelled, reaction)).toHaveProperty('ignored')
  })

  it('when a reservation expires after payment, or names another reservation, then it is ignored', () => {
    const confirmed = orderAfter({ type: 'OrderConfirmed', data: { paymentId: 'pay-1', amount: usd(3_999) } })
    expect(decideReaction(confirmed, { kind: 'ReservationExpired', reservationId: 'res-1' })).toHaveProperty(
      'ignored',
    )
    expect(
      decideReaction(orderAfter(), { kind: 'ReservationExpired', reservationId: 'other' }),
    ).toHaveProperty('ignored')
    expect(
      decideReaction(orderAfter(), { kind: 'ReservationExpired', reservationId: 'res-1' }),
    ).toMatchObject({
      events: [{ type: 'OrderCancelled', data: { reason: 'reservation_expired' } }],
    })
  })

  it('when a delivery is reported for a confirmed order whose dispatch was not, then it is shipped and delivered', () => {
    const confirmed = orderAfter({ type: 'OrderConfirmed', data: { paymentId: 'pay-1', amount: usd(3_999) } })
    const decision = decideReaction(confirmed, delivered)
    expect(decision).toMatchObject({ events: [{ type: 'OrderShipped' }, { type: 'OrderDelivered' }] })
    const after = orderAfter(
      { type: 'OrderConfirmed', data: { paymentId: 'pay-1', amount: usd(3_999) } },
      ...(decision as { events: OrderEvent[] }).events,
    )
    expect(after).toMatchObject({ status: 'DELIVERED', trackingNumber: 'TRK1' })
  })

  it('when a shipment is dispatched before payment, then it is ignored', () => {
    expect(decideReaction(orderAfter(), dispatched)).toHaveProperty('ignored')
    expect(decideReaction(undefined, succeeded)).toEqual({ ignored: 'unknown order' })
  })

  it('when the customer cancels before shipping, then it is cancelled with the previous status; after, then refused', () => {
    const confirmed = orderAfter({ type: 'OrderConfirmed', data: { paymentId: 'pay-1', amount: usd(3_999) } })
    expect(decideCancel(confirmed)).toEqual([
      {
        type: 'OrderCancelled',
        data: { reason: 'customer_cancelled', previousStatus: 'CONFIRMED', detail: '' },
      },
    ])
    const shipped = orderAfter(
      { type: 'OrderConfirmed', data: { paymentId: 'pay-1', amount: usd(3_999) } },
      { type: 'OrderShipped', data: { shipmentId: 's1', trackingNumber: 'TRK1', carrier: 'ACME' } },
    )
    expect(() => decideCancel(shipped)).toThrow(
      expect.objectContaining({ code: 'ORDERS_INVALID_TRANSITION' }),
    )
  })

  it('when a stream does not start with OrderPlaced, then folding it fails loudly', () => {
    expect(() =>
      foldOrder([
        { type: 'OrderConfirmed', data: { paymentId: 'p', amount: usd(1) }, version: 1, recordedAt: 'x' },
      ]),
    ).toThrow(/OrderPlaced/)
  })
})

describe('an order shipped in parcels', () => {
  const confirmed = () =>
    orderAfter({ type: 'OrderConfirmed', data: { paymentId: 'pay-1', amount: usd(3_999) } })
  const shippedOrder = () =>
    orderAfter(
      { type: 'OrderConfirmed', data: { paymentId: 'pay-1', amount: usd(3_999) } },
      { type: 'OrderShipped', data: { shipmentId: 's1', trackingNumber: 'TRK1', carrier: 'ACME' } },
    )
  const secondLeft = { ...dispatched, shipmentId: 's2', trackingNumber: 'TRK2' }
  const firstArrived = { ...delivered, parcelsRemaining: 1 }
  const lastArrived = { ...delivered, shipmentId: 's2', trackingNumber: 'TRK2', parcelsRemaining: 0 }

  it('when the first parcel leaves, then the order is SHIPPED; when another leaves, then nothing changes', () => {
    expect(decideReaction(confirmed(), dispatched)).toEqual({
      events: [{ type: 'OrderShipped', data: { shipmentId: 's1', trackingNumber: 'TRK1', carrier: 'ACME' } }],
    })
    expect(decideReaction(shippedOrder(), secondLeft)).toEqual({
      ignored: 'another parcel of a shipped order left',
    })
  })

  it('when a parcel arrives while another is on its way, then the order stays SHIPPED; when the last arrives, then DELIVERED', () => {
    expect(decideReaction(shippedOrder(), firstArrived)).toEqual({
      ignored: 'a parcel arrived, 1 still on the way',
    })
    expect(decideReaction(shippedOrder(), lastArrived)).toEqual({
      events: [{ type: 'OrderDelivered', data: { shipmentId: 's2', trackingNumber: 'TRK2' } }],
    })
  })

  it('when a parcel arrives before any dispatch was reported, then the order is SHIPPED, and DELIVERED only if it was the last', () => {
    expect(decideReaction(confirmed(), firstArrived)).toEqual({
      events: [{ type: 'OrderShipped', data: { shipmentId: 's1', trackingNumber: 'TRK1', carrier: '' } }],
    })
    expect(
      (decideReaction(confirmed(), lastArrived) as { events: { type: string }[] }).events.map((e) => e.type),
    ).toEqual(['OrderShipped', 'OrderDelivered'])
  })
})
