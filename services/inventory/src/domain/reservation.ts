import type { FieldError } from '@microshop/chassis/errors'
import { availableOf, type Movement, type MovementKind, type StockLevel } from './stock.js'

export interface ReservationLine {
  productId: string
  quantity: number
}

export type ReservationStatus = 'active' | 'committed' | 'released' | 'expired' | 'returned'

/** What can happen to a reservation: payment captured, released on request, time ran out, order cancelled. */
export type ReservationAction = 'commit' | 'release' | 'expire' | 'cancel'

export interface Shortage {
  productId: string
  requested: number
  available: number
}

export const MAX_LINES = 200
export const MAX_QUANTITY = 10_000
export const MAX_TTL_SECONDS = 86_400
export const MAX_ORDER_ID_LENGTH = 200

/** Checks the request's lines and merges lines of the same product, sorted by product id (the lock order). */
export function normaliseLines(
  lines: readonly ReservationLine[],
): { lines: ReservationLine[] } | { errors: FieldError[] } {
  const errors: FieldError[] = []
  if (lines.length === 0) errors.push({ field: 'lines', message: 'at least one line' })
  if (lines.length > MAX_LINES) errors.push({ field: 'lines', message: `at most ${MAX_LINES} lines` })
  const merged = new Map<string, number>()
  lines.forEach((line, i) => {
    if (line.productId.trim() === '' || line.productId.includes('\0'))
      errors.push({ field: `lines[${i}].productId`, message: 'a product id is required' })
    if (!Number.isInteger(line.quantity) || line.quantity < 1)
      errors.push({ field: `lines[${i}].quantity`, message: 'at least 1' })
    merged.set(line.productId, (merged.get(line.productId) ?? 0) + line.quantity)
  })
  for (const [productId, quantity] of merged)
    if (quantity > MAX_QUANTITY)
      errors.push({ field: productId, message: `at most ${MAX_QUANTITY} of one product per reservation` })
  if (errors.length > 0) return { errors }
  return {
    lines: [...merged]
      .map(([productId, quantity]) => ({ productId, quantity }))
      .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0)),
  }
}

/** Every line or none: the shortages when any line cannot be held, else the movements that hold them all. */
export function decideReservation(
  levels: ReadonlyMap<string, StockLevel>,
  lines: readonly ReservationLine[],
): { ok: true } | { ok: false; shortages: Shortage[] } {
  const shortages = lines.flatMap((line) => {
    const level = levels.get(line.productId)
    const available = level ? availableOf(level) : 0
    return line.quantity > available
      ? [{ productId: line.productId, requested: line.quantity, available }]
      : []
  })
  return shortages.length === 0 ? { ok: true } : { ok: false, shortages }
}

/** Two sets of merged lines ask for the same thing, in whatever order. */
export function sameLines(a: readonly ReservationLine[], b: readonly ReservationLine[]): boolean {
  const quantities = new Map(a.map((line) => [line.productId, line.quantity]))
  return a.length === b.length && b.every((line) => quantities.get(line.productId) === line.quantity)
}

const TRANSITIONS: Record<
  ReservationStatus,
  Partial<Record<ReservationAction, { next: ReservationStatus; movement: MovementKind }>>
> = {
  active: {
    commit: { next: 'committed', movement: 'committed' },
    release: { next: 'released', movement: 'released' },
    cancel: { next: 'released', movement: 'released' },
    expire: { next: 'expired', movement: 'expired' },
  },
  // a cancelled paid order gets its stock back (the payment is refunded elsewhere)
  committed: { cancel: { next: 'returned', movement: 'returned' } },
  released: {},
  expired: {},
  returned: {},
}

/** What an action does to a reservation in a status; undefined when it does nothing (already done, or too late). */
export const transition = (status: ReservationStatus, action: ReservationAction) =>
  TRANSITIONS[status][action]

/** The ledger lines of one transition of a reservation: one movement per line. */
export const movementsOf = (
  reservation: { id: string; orderId: string; lines: readonly ReservationLine[] },
  kind: MovementKind,
): Movement[] =>
  reservation.lines.map((line) => ({
    productId: line.productId,
    kind,
    quantity: line.quantity,
    reservationId: reservation.id,
    orderId: reservation.orderId,
  }))

/** The stock a reservation in this status no longer holds and never will: released, or ran out of time. */
export const isClosedUnsold = (status: ReservationStatus) => status === 'released' || status === 'expired'
