/** A product's stock as the projection holds it; available is what a new reservation can take. */
export interface StockLevel {
  productId: string
  onHand: number
  reserved: number
  /** Whether availability is under the low-stock threshold (StockLow is emitted when this turns true). */
  low: boolean
}

/** What a movement records; the ledger is never updated, only appended to. */
export type MovementKind =
  | 'initial'
  | 'adjustment'
  | 'reserved'
  | 'released'
  | 'expired'
  | 'committed'
  | 'returned'

/** One line of the ledger: a signed quantity for adjustments, a positive one for every other kind. */
export interface Movement {
  productId: string
  kind: MovementKind
  quantity: number
  reservationId?: string
  orderId?: string
}

export const availableOf = (level: Pick<StockLevel, 'onHand' | 'reserved'>) => level.onHand - level.reserved

/** A level with nothing in stock, for a product the inventory learns about. */
export const emptyLevel = (productId: string): StockLevel => ({
  productId,
  onHand: 0,
  reserved: 0,
  low: false,
})

const EFFECTS: Record<MovementKind, { onHand: -1 | 0 | 1; reserved: -1 | 0 | 1 }> = {
  initial: { onHand: 1, reserved: 0 },
  adjustment: { onHand: 1, reserved: 0 },
  returned: { onHand: 1, reserved: 0 },
  reserved: { onHand: 0, reserved: 1 },
  released: { onHand: 0, reserved: -1 },
  expired: { onHand: 0, reserved: -1 },
  committed: { onHand: -1, reserved: -1 },
}

/** Raised when a movement would leave a level impossible: a bug upstream, never a user error. */
export class StockInvariantError extends Error {
  constructor(movement: Movement, level: StockLevel) {
    super(
      `${movement.kind} of ${movement.quantity} on ${movement.productId} would leave on hand ${level.onHand}, reserved ${level.reserved} impossible`,
    )
    this.name = 'StockInvariantError'
  }
}

/** The level after one movement; never below zero, never more reserved than on hand. */
export function applyMovement(level: StockLevel, movement: Movement): StockLevel {
  const effect = EFFECTS[movement.kind]
  const next = {
    ...level,
    onHand: level.onHand + effect.onHand * movement.quantity,
    reserved: level.reserved + effect.reserved * movement.quantity,
  }
  if (next.onHand < 0 || next.reserved < 0 || next.reserved > next.onHand)
    throw new StockInvariantError(movement, level)
  return next
}

/** Whether a level's availability crossed the threshold: `emit` only on the way under it, once per crossing. */
export function lowStockCrossing(
  wasLow: boolean,
  available: number,
  threshold: number,
): { low: boolean; emit: boolean } {
  const low = available < threshold
  return { low, emit: low && !wasLow }
}
