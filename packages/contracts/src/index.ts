import { fileURLToPath } from 'node:url'

/** Absolute path of the folder holding every .proto file (for gRPC reflection and tooling). */
export const protoRoot = fileURLToPath(new URL('../proto', import.meta.url))

/** The .proto files of each public gRPC service, relative to protoRoot. */
export const protoFiles = {
  catalog: 'microshop/catalog/v1/catalog.proto',
  identity: 'microshop/identity/v1/identity.proto',
  cart: 'microshop/cart/v1/cart.proto',
  inventory: 'microshop/inventory/v1/inventory.proto',
  orders: 'microshop/orders/v1/orders.proto',
  payments: 'microshop/payments/v1/payments.proto',
  fraud: 'microshop/fraud/v1/fraud.proto',
  shipping: 'microshop/shipping/v1/shipping.proto',
  notifications: 'microshop/notifications/v1/notifications.proto',
} as const

/** CloudEvents types of the events in the contracts (`<service>.<EventName>.v<N>`); payloads in `<service>/v1/events.proto`. */
export const eventTypes = {
  catalog: { productUpdated: 'catalog.ProductUpdated.v1', priceChanged: 'catalog.PriceChanged.v1' },
  identity: { userRegistered: 'identity.UserRegistered.v1' },
  inventory: {
    stockReserved: 'inventory.StockReserved.v1',
    reservationExpired: 'inventory.ReservationExpired.v1',
    stockLow: 'inventory.StockLow.v1',
  },
  orders: {
    orderCreated: 'orders.OrderCreated.v1',
    orderConfirmed: 'orders.OrderConfirmed.v1',
    orderCancelled: 'orders.OrderCancelled.v1',
    orderShipped: 'orders.OrderShipped.v1',
    orderDelivered: 'orders.OrderDelivered.v1',
    orderStatusChanged: 'orders.OrderStatusChanged.v1',
  },
  payments: {
    paymentSucceeded: 'payments.PaymentSucceeded.v1',
    paymentFailed: 'payments.PaymentFailed.v1',
    refundIssued: 'payments.RefundIssued.v1',
  },
  shipping: {
    shipmentCreated: 'shipping.ShipmentCreated.v1',
    shipmentDispatched: 'shipping.ShipmentDispatched.v1',
    shipmentDelivered: 'shipping.ShipmentDelivered.v1',
  },
} as const
