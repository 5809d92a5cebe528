import { describe, expect, it } from 'vitest'
import {
  applyMovement,
  availableOf,
  lowStockCrossing,
  StockInvariantError,
  type StockLevel,
} from './stock.js'

const level = (onHand: number, reserved: number): StockLevel => ({
  productId: 'mug',
  onHand,
  reserved,
  low: false,
})
const apply = (l: StockLevel, kind: Parameters<typeof applyMovement>[1]['kind'], quantity: number) =>
  applyMovement(l, { productId: 'mug', kind, quantity })

describe('stock arithmetic', () => {
  it('when stock is reserved, then on hand stays and available shrinks', () => {
    const next = apply(level(10, 2), 'reserved', 3)
    expect(next).toMatchObject({ onHand: 10, reserved: 5 })
    expect(availableOf(next)).toBe(5)
  })

  it('when a reservation is released or expires, then its units are available again', () => {
    expect(apply(level(10, 5), 'released', 3)).toMatchObject({ onHand: 10, reserved: 2 })
    expect(apply(level(10, 5), 'expired', 5)).toMatchObject({ onHand: 10, reserved: 0 })
  })

  it('when reserved stock is committed, then it leaves on hand and reserved, and available is unchanged', () => {
    const before = level(10, 4)
    const next = apply(before, 'committed', 3)
    expect(next).toMatchObject({ onHand: 7, reserved: 1 })
    expect(availableOf(next)).toBe(availableOf(before))
  })

  it('when sold stock is returned, or stock adjusted or counted in, then on hand changes by the quantity', () => {
    expect(apply(level(7, 1), 'returned', 3)).toMatchObject({ onHand: 10, reserved: 1 })
    expect(apply(level(7, 1), 'adjustment', -4)).toMatchObject({ onHand: 3, reserved: 1 })
    expect(apply(level(0, 0), 'initial', 12)).toMatchObject({ onHand: 12, reserved: 0 })
  })

  it('when a movement would reserve more than is on hand, or take any count below zero, then it is refused', () => {
    expect(() => apply(level(3, 1), 'reserved', 3)).toThrow(StockInvariantError)
    expect(() => apply(level(3, 1), 'released', 2)).toThrow(StockInvariantError)
    expect(() => apply(level(3, 1), 'committed', 2)).toThrow(StockInvariantError)
    expect(() => apply(level(3, 1), 'adjustment', -3)).toThrow(StockInvariantError)
  })
})

describe('low stock crossing', () => {
  it('when availability falls under the threshold, then StockLow is emitted once, not again while it stays low', () => {
    expect(lowStockCrossing(false, 4, 5)).toEqual({ low: true, emit: true })
    expect(lowStockCrossing(true, 2, 5)).toEqual({ low: true, emit: false })
  })

  it('when availability is back at the threshold, then the next fall is a new crossing', () => {
    expect(lowStockCrossing(true, 5, 5)).toEqual({ low: false, emit: false })
    expect(lowStockCrossing(false, 5, 5)).toEqual({ low: false, emit: false })
  })
})
