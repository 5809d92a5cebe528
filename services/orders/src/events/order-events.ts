import { eventOf, type PendingEvent } from '@microshop/chassis'
import { events } from '@microshop/contracts/events'
import { OrderStatus as OrderStatusMessage } from '@microshop/contracts/orders/v1/orders'
import type { AppliedEvent } from '../app/order-stream.js'
import type { OrderStatus } from '../domain/order.js'

const STATUS: Record<OrderStatus, OrderStatusMessage> = {
  PENDING_PAYMENT: OrderStatusMessage.ORDER_STATUS_PENDING_PAYMENT,
  CONFIRMED: OrderStatusMessage.ORDER_STATUS_CONFIRMED,
  SHIPPED: OrderStatusMessage.ORDER_STATUS_SHIPPED,
  DELIVERED: OrderStatusMessage.ORDER_STATUS_DELIVERED,
  CANCELLED: OrderStatusMessage.ORDER_STATUS_CANCELLED,
}

export const toStatusMessage = (status: OrderStatus) => STATUS[status]

/** The contract events of one applied order event (the order before and after it); subject: the order id. */
export function toContractEvents({ before, event, after }: AppliedEvent): PendingEvent[] {
  const who = { orderId: after.id, userId: after.userId, email: after.email }
  const statusChanged = eventOf(events.OrderStatusChanged, {
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
        eventOf(events.OrderCreated, {
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
        eventOf(events.OrderConfirmed, {
          ...who,
          lines: after.lines,
          total: after.total,
          shippingAddress: after.shippingAddress,
        }),
        statusChanged,
      ]
    case 'OrderCancelled':
      return [
        eventOf(events.OrderCancelled, {
          ...who,
          reason: event.data.reason,
          previousStatus: STATUS[before?.status ?? event.data.previousStatus],
        }),
        statusChanged,
      ]
    case 'OrderShipped':
      return [
        eventOf(events.OrderShipped, {
          ...who,
          trackingNumber: event.data.trackingNumber,
          carrier: event.data.carrier,
        }),
        statusChanged,
      ]
    case 'OrderDelivered':
      return [eventOf(events.OrderDelivered, { ...who, trackingNumber: after.trackingNumber }), statusChanged]
  }
}
