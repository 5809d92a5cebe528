import type { ReservationLine } from './reservation.js'

/** What a change to the inventory tells the rest of the system. */
export type InventoryEvent =
  | {
      kind: 'StockReserved'
      orderId: string
      reservationId: string
      lines: ReservationLine[]
      expiresAt: string
    }
  | { kind: 'ReservationExpired'; orderId: string; reservationId: string }
  | { kind: 'StockLow'; productId: string; available: number; threshold: number }
