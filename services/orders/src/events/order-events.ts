import { defineEvent, type NewEvent, type Outbox } from '@microshop/chassis'
import { eventTypes } from '@microshop/contracts'
import { ReservationExpired } from '@microshop/contracts/inventory/v1/events'
import {
  OrderCancelled,
  OrderConfirmed,
  OrderCreated,
  OrderDelivered,
  OrderShipped,
  OrderStatusChanged,
} from '@microshop/contracts/orders/v1/events'
import { OrderStatus as OrderStatusMessage } from '@microshop/contracts/orders/v1/orders'
import { PaymentFailed, PaymentSucceeded } from '@microshop/contracts/payments/v1/events'
import { ShipmentDelivered, ShipmentDispatched } from '@microshop/contracts/shipping/v1/events'
import type { EmitOrderEvents } from '../app/order-stream.js'
import type { Order, OrderStatus, RecordedEvent } from '../domain/order.js'

export const OrderCreatedEvent = defineEvent(eventTypes.orders.orderCreated, OrderCreated)
export const OrderConfirmedEvent = defineEvent(eventTypes.orders.orderConfirmed, OrderConfirmed)
export const OrderCancelledEvent = defineEvent(eventTypes.orders.orderCancelled, OrderCancelled)
export const OrderShippedEvent = defineEvent(eventTypes.orders.orderShipped, OrderShipped)
export const OrderDeliveredEvent = defineEvent(eventTypes.orders.orderDelivered, OrderDelivered)
export const OrderStatusChangedEvent = defineEvent(eventTypes.orders.orderStatusChanged, OrderStatusChanged)

export const PaymentSucceededEvent = defineEvent(eventTypes.payments.paymentSucceeded, PaymentSucceeded)
export const PaymentFailedEvent = defineEvent(eventTypes.payments.paymentFailed, PaymentFailed)
export const ReservationExpiredEvent = defineEvent(
  eventTypes.inventory.reservationExpired,
  ReservationExpired,
)
export const ShipmentDispatchedEvent = defineEvent(eventTypes.shipping.shipmentDispatched, ShipmentDispatched)
export const ShipmentDeliveredEvent = defineEvent(eventTypes.shipping.shipmentDelivered, ShipmentDelivered)

const STATUS: Record<OrderStatus, OrderStatusMessage> = {
  PENDING_PAYMENT: OrderStatusMessage.ORDER_STATUS_PENDING_PAYMENT,
  CONFIRMED: OrderStatusMessage.ORDER_STATUS_CONFIRMED,
  SHIPPED: OrderStatusMessage.ORDER_STATUS_SHIPPED,
  DELIVERED: OrderStatusMessage.ORDER_STATUS_DELIVERED,
  CANCELLED: OrderStatusMessage.ORDER_STATUS_CANCELLED,
}

export const toStatusMessage = (status: OrderStatus) => STATUS[status]

/** The contract events of one recorded order event, given the order before and after it; subject: the order id. */
export function toContractEvents(before: Order | undefined, event: RecordedEvent, after: Order): NewEvent[] {
  const who = { orderId: after.id, userId: after.userId, email: after.email }
  const statusChanged = OrderStatusChangedEvent.create(after.id, {
    ...who,
    status: STATUS[after.status],
    reason: after.status === 'CANCELLED' ? after.cancelReason : '',
    at: event.recordedAt,
    version: after.version,
    total: after.total,
  })
  switch (event.type) {
    case 'OrderPlaced':
      return [
        OrderCreatedEvent.create(after.id, {
          ...who,
          lines: after.lines,
          total: after.total,
          shippingAddress: after.shippingAddress,
          paymentToken: after.paymentToken,
          reservationId: after.reservationId,
          reservationExpiresAt: after.reservationExpiresAt,
          createdAt: after.createdAt,
        }),
        statusChanged,
      ]
    case 'OrderConfirmed':
      return [
        OrderConfirmedEvent.create(after.id, {
          ...who,
          lines: after.lines,
          total: after.total,
          shippingAddress: after.shippingAddress,
        }),
        statusChanged,
      ]
    case 'OrderCancelled':
      return [
        OrderCancelledEvent.create(after.id, {
          ...who,
          reason: event.data.reason,
          previousStatus: STATUS[before?.status ?? event.data.previousStatus],
        }),
        statusChanged,
      ]
    case 'OrderShipped':
      return [
        OrderShippedEvent.create(after.id, {
          ...who,
          trackingNumber: event.data.trackingNumber,
          carrier: event.data.carrier,
        }),
        statusChanged,
      ]
    case 'OrderDelivered':
      return [
        OrderDeliveredEvent.create(after.id, { ...who, trackingNumber: after.trackingNumber }),
        statusChanged,
      ]
  }
}

/** Records the contract events of applied order events in the outbox, in the transaction of the change. */
export const createOrderEmitter =
  (outbox: Outbox): EmitOrderEvents =>
  (tx, applied) =>
    outbox.append(
      tx,
      applied.flatMap(({ before, event, after }) => toContractEvents(before, event, after)),
    )
