import { eventOf, type PendingEvent } from '@microshop/chassis'
import { events } from '@microshop/contracts/events'
import type { InventoryEvent } from '../domain/inventory-events.js'

/** The contract event of a domain event: about the order for reservations, about the product for StockLow. */
export function toContractEvents(event: InventoryEvent): PendingEvent {
  switch (event.kind) {
    case 'StockReserved':
      return eventOf(events.StockReserved, {
        orderId: event.orderId,
        reservationId: event.reservationId,
        lines: event.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
        expiresAt: event.expiresAt,
      })
    case 'ReservationExpired':
      return eventOf(events.ReservationExpired, {
        orderId: event.orderId,
        reservationId: event.reservationId,
      })
    case 'StockLow':
      return eventOf(events.StockLow, {
        productId: event.productId,
        available: event.available,
        threshold: event.threshold,
      })
  }
}
