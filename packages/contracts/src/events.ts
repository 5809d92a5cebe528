import * as catalog from './gen/microshop/catalog/v1/events.js'
import * as identity from './gen/microshop/identity/v1/events.js'
import * as inventory from './gen/microshop/inventory/v1/events.js'
import * as orders from './gen/microshop/orders/v1/events.js'
import * as payments from './gen/microshop/payments/v1/events.js'
import * as shipping from './gen/microshop/shipping/v1/events.js'

/** A protobuf message codec as ts-proto generates it. */
export interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array }
  decode(input: Uint8Array): T
}

/** One event of the system: who owns it, its CloudEvents type, its payload message and what it is about. */
export interface EventContract<T = unknown> {
  /** Unique in the system, past tense: `OrderCreated`. */
  readonly name: string
  /** The one service that emits it. */
  readonly owner: string
  readonly version: number
  /** The CloudEvents type: `<owner>.<name>.v<version>`, e.g. `orders.OrderCreated.v1`. */
  readonly type: string
  /** The protobuf message of its data (in `<owner>/v1/events.proto`). */
  readonly payload: MessageCodec<T>
  /** The aggregate it is about, its CloudEvents subject: the bus keeps a subject's events in order. */
  subjectOf(payload: T): string
  /** What kind of aggregate the subject names: traces carry it as `<kind>.id` (`order.id`). */
  readonly subjectKind: 'order' | 'product' | 'user'
}

/** The payload type of an event contract. */
export type PayloadOf<E> = E extends EventContract<infer T> ? T : never

function event<T>(
  owner: string,
  name: string,
  payload: MessageCodec<T>,
  subject: readonly [EventContract<T>['subjectKind'], (payload: T) => string],
  version = 1,
): EventContract<T> {
  const [subjectKind, subjectOf] = subject
  return { name, owner, version, type: `${owner}.${name}.v${version}`, payload, subjectOf, subjectKind }
}

const byOrder = ['order', (e: { orderId: string }) => e.orderId] as const
const byProduct = ['product', (e: { productId: string }) => e.productId] as const

/** Every event of the system, declared once: emitters and consumers both name them from here. */
export const events = {
  ProductUpdated: event('catalog', 'ProductUpdated', catalog.ProductUpdated, [
    'product',
    (e) => e.product?.id ?? '',
  ]),
  PriceChanged: event('catalog', 'PriceChanged', catalog.PriceChanged, byProduct),

  UserRegistered: event('identity', 'UserRegistered', identity.UserRegistered, ['user', (e) => e.userId]),
  DuplicateSignUpAttempted: event('identity', 'DuplicateSignUpAttempted', identity.DuplicateSignUpAttempted, [
    'user',
    (e) => e.userId,
  ]),

  StockReserved: event('inventory', 'StockReserved', inventory.StockReserved, byOrder),
  ReservationExpired: event('inventory', 'ReservationExpired', inventory.ReservationExpired, byOrder),
  StockLow: event('inventory', 'StockLow', inventory.StockLow, byProduct),

  OrderCreated: event('orders', 'OrderCreated', orders.OrderCreated, byOrder),
  OrderConfirmed: event('orders', 'OrderConfirmed', orders.OrderConfirmed, byOrder),
  OrderCancelled: event('orders', 'OrderCancelled', orders.OrderCancelled, byOrder),
  OrderShipped: event('orders', 'OrderShipped', orders.OrderShipped, byOrder),
  OrderDelivered: event('orders', 'OrderDelivered', orders.OrderDelivered, byOrder),
  /** Any status change, for live views (SSE). */
  OrderStatusChanged: event('orders', 'OrderStatusChanged', orders.OrderStatusChanged, byOrder),

  PaymentSucceeded: event('payments', 'PaymentSucceeded', payments.PaymentSucceeded, byOrder),
  PaymentFailed: event('payments', 'PaymentFailed', payments.PaymentFailed, byOrder),
  RefundIssued: event('payments', 'RefundIssued', payments.RefundIssued, byOrder),

  ShipmentCreated: event('shipping', 'ShipmentCreated', shipping.ShipmentCreated, byOrder),
  ShipmentDispatched: event('shipping', 'ShipmentDispatched', shipping.ShipmentDispatched, byOrder),
  ShipmentDelivered: event('shipping', 'ShipmentDelivered', shipping.ShipmentDelivered, byOrder),
} as const

export type Events = typeof events
export type EventName = keyof Events

const byType = new Map<string, EventContract>(Object.values(events).map((e) => [e.type, e as EventContract]))

/** The contract of a CloudEvents type, or undefined for a type the system does not know. */
export const eventByType = (type: string): EventContract | undefined => byType.get(type)
