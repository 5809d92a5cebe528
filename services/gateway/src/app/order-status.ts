import { OrderStatus } from '@microshop/contracts/orders/v1/orders'

/** An order's statuses as the public API names them, in the order an order moves through them. */
export const ORDER_STATUSES = ['PENDING_PAYMENT', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const

export type OrderStatusName = (typeof ORDER_STATUSES)[number]

const NAMES = new Map<OrderStatus, OrderStatusName>(
  ORDER_STATUSES.map((name) => [OrderStatus[`ORDER_STATUS_${name}`], name]),
)

/** An order status as the public API names it; an order orders has just accepted is waiting for payment. */
export const statusName = (status: OrderStatus): OrderStatusName => NAMES.get(status) ?? 'PENDING_PAYMENT'

/** False for a status this gateway has no name for (unset, or newer than its contracts). */
export const isKnownStatus = (status: OrderStatus) => NAMES.has(status)

/** An order in one of these changes no more. */
export const isFinalStatus = (status: OrderStatusName) => status === 'DELIVERED' || status === 'CANCELLED'
