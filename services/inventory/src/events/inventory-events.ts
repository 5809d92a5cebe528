import { defineEvent, type NewEvent, type Outbox, type Queryable } from '@microshop/chassis'
import { eventTypes } from '@microshop/contracts'
import { ProductUpdated } from '@microshop/contracts/catalog/v1/events'
import { ReservationExpired, StockLow, StockReserved } from '@microshop/contracts/inventory/v1/events'
import { OrderCancelled } from '@microshop/contracts/orders/v1/events'
import { PaymentSucceeded } from '@microshop/contracts/payments/v1/events'
import type { InventoryEvent } from '../domain/inventory-events.js'

export const StockReservedEvent = defineEvent(eventTypes.inventory.stockReserved, StockReserved)
export const ReservationExpiredEvent = defineEvent(
  eventTypes.inventory.reservationExpired,
  ReservationExpired,
)
export const StockLowEvent = defineEvent(eventTypes.inventory.stockLow, StockLow)

export const PaymentSucceededEvent = defineEvent(eventTypes.payments.paymentSucceeded, PaymentSucceeded)
export const OrderCancelledEvent = defineEvent(eventTypes.orders.orderCancelled, OrderCancelled)
export const ProductUpdatedEvent = defineEvent(eventTypes.catalog.productUpdated, ProductUpdated)

/** The contract event of a domain event: about the order for reservations, about the product for StockLow. */
export function toContractEvent(event: InventoryEvent): NewEvent {
  switch (event.kind) {
    case 'StockReserved':
      return StockReservedEvent.create(event.orderId, {
        orderId: event.orderId,
        reservationId: event.reservationId,
        lines: event.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
        expiresAt: event.expiresAt,
      })
    case 'ReservationExpired':
      return ReservationExpiredEvent.create(event.orderId, {
        orderId: event.orderId,
        reservationId: event.reservationId,
      })
    case 'StockLow':
      return StockLowEvent.create(event.productId, {
        productId: event.productId,
        available: event.available,
        threshold: event.threshold,
      })
  }
}

/** Records the inventory's domain events in its outbox, in the transaction of the change. */
export const createInventoryEmitter =
  (outbox: Outbox) =>
  (tx: Queryable, events: InventoryEvent[]): Promise<void> =>
    outbox.append(tx, events.map(toContractEvent))
