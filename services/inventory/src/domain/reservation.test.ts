import { describe, expect, it } from 'vitest'
import {
  decideReservation,
  MAX_QUANTITY,
  movementsOf,
  normaliseLines,
  type ReservationStatus,
  sameLines,
  transition,
} from './reservation.js'
import type { StockLevel } from './stock.js'

const levels = (entries: [string, number, number][]) =>
  new Map<string, StockLevel>(
    entries.map(([productId, onHand, reserved]) => [productId, { productId, onHand, reserved, low: false }]),
  )

describe('reservation lines', () => {
  it('when a product appears on two lines, then they are merged, and lines come sorted by product id', () => {
    expect(
      normaliseLines([
        { productId: 'tea', quantity: 1 },
        { productId: 'mug', quantity: 2 },
        { productId: 'tea', quantity: 3 },
      ]),
    ).toEqual({
      lines: [
        { productId: 'mug', quantity: 2 },
        { productId: 'tea', quantity: 4 },
      ],
    })
  })

  it('when there are no lines, a blank product or a quantity under 1, then each problem is named', () => {
    expect(normaliseLines([])).toEqual({ errors: [{ field: 'lines', message: 'at least one line' }] })
    const result = normaliseLines([
      { productId: ' ', quantity: 1 },
      { productId: 'mug', quantity: 0 },
      { productId: 'tea', quantity: 1.5 },
    ])
    expect('errors' in result && result.errors.map((e) => e.field)).toEqual([
      'lines[0].productId',
      'lines[1].quantity',
      'lines[2].quantity',
    ])
  })

  it('when merged lines ask for more than the per-product maximum, then it is refused', () => {
    const result = normaliseLines([
      { productId: 'mug', quantity: MAX_QUANTITY },
      { productId: 'mug', quantity: 1 },
    ])
    expect('errors' in result && result.errors.map((e) => e.field)).toEqual(['mug'])
  })

  it('when two sets of lines hold the same quantities in another order, then they are the same', () => {
    const a = [
      { productId: 'mug', quantity: 2 },
      { productId: 'tea', quantity: 1 },
    ]
    expect(sameLines(a, [...a].reverse())).toBe(true)
    expect(sameLines(a, [{ productId: 'mug', quantity: 2 }])).toBe(false)
    expect(sameLines(a, [a[0]!, { productId: 'tea', quantity: 2 }])).toBe(false)
  })
})

describe('deciding a reservation', () => {
  it('when every line is available, then it is reserved', () => {
    const decision = decideReservation(levels([['mug', 5, 2]]), [{ productId: 'mug', quantity: 3 }])
    expect(decision).toEqual({ ok: true })
  })

  it('when any line is short, then none is reserved and every short line is named with what is available', () => {
    const decision = decideReservation(
      levels([
        ['mug', 5, 2],
        ['pot', 9, 0],
        ['tea', 1, 1],
      ]),
      [
        { productId: 'mug', quantity: 4 },
        { productId: 'pot', quantity: 9 },
        { productId: 'tea', quantity: 1 },
        { productId: 'unknown', quantity: 1 },
      ],
    )
    expect(decision).toEqual({
      ok: false,
      shortages: [
        { productId: 'mug', requested: 4, available: 3 },
        { productId: 'tea', requested: 1, available: 0 },
        { productId: 'unknown', requested: 1, available: 0 },
      ],
    })
  })
})

describe('reservation transitions', () => {
  const cases: [ReservationStatus, Parameters<typeof transition>[1], string | undefined][] = [
    ['active', 'commit', 'committed/committed'],
    ['active', 'release', 'released/released'],
    ['active', 'cancel', 'released/released'],
    ['active', 'expire', 'expired/expired'],
    ['committed', 'cancel', 'returned/returned'],
    ['committed', 'commit', undefined],
    ['committed', 'release', undefined],
    ['committed', 'expire', undefined],
    ['expired', 'commit', undefined],
    ['released', 'commit', undefined],
    ['expired', 'cancel', undefined],
    ['returned', 'cancel', undefined],
  ]
  it.each(cases)(
    'when a reservation is %s and asked to %s, then it becomes %s (next/movement)',
    (s, a, want) => {
      const step = transition(s, a)
      expect(step && `${step.next}/${step.movement}`).toBe(want)
    },
  )

  it('when a reservation moves, then each of its lines gets one movement about the order', () => {
    const reservation = {
      id: 'r1',
      orderId: 'o1',
      lines: [
        { productId: 'mug', quantity: 2 },
        { productId: 'tea', quantity: 1 },
      ],
    }
    expect(movementsOf(reservation, 'committed')).toEqual([
      { productId: 'mug', kind: 'committed', quantity: 2, reservationId: 'r1', orderId: 'o1' },
      { productId: 'tea', kind: 'committed', quantity: 1, reservationId: 'r1', orderId: 'o1' },
    ])
  })
})
