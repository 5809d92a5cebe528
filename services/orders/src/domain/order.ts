import { OrdersErrors } from './errors.js'

export type OrderStatus = 'PENDING_PAYMENT' | 'CONFIRMED' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED'
export type CancelReason = 'payment_failed' | 'reservation_expired' | 'customer_cancelled'

export interface Money {
  amount: number
  currency: string
}

export interface OrderLine {
  productId: string
  name: string
  quantity: number
  unitPrice: Money
  lineTotal: Money
  weightGrams: number
}

export interface ShippingAddress {
  name: string
  line1: string
  line2: string
  city: string
  region: string
  postalCode: string
  country: string
  phone: string
}

export interface OrderPlacedData {
  orderId: string
  userId: string
  email: string
  lines: OrderLine[]
  subtotal: Money
  shipping: Money
  total: Money
  shippingAddress: ShippingAddress
  paymentToken: string
  paymentSummary: string
  reservationId: string
  reservationExpiresAt: string
}

/** What happened to an order: the stream of these events is the order. */
export type OrderEvent =
  | { type: 'OrderPlaced'; data: OrderPlacedData }
  | { type: 'OrderConfirmed'; data: { paymentId: string; amount: Money } }
  | { type: 'OrderCancelled'; data: { reason: CancelReason; previousStatus: OrderStatus; detail: string } }
  | { type: 'OrderShipped'; data: { shipmentId: string; trackingNumber: string; carrier: string } }
  | { type: 'OrderDelivered'; data: { shipmentId: string; trackingNumber: string } }

/** An event as the store keeps it: its place in the stream and when it was recorded (RFC 3339). */
export type RecordedEvent = OrderEvent & { version: number; recordedAt: string }

export interface StatusChange {
  status: OrderStatus
  at: string
  reason: string
}

/** The order as its events make it. */
export interface Order extends Omit<OrderPlacedData, 'orderId'> {
  id: string
  status: OrderStatus
  cancelReason: string
  createdAt: string
  updatedAt: string
  confirmedAt: string
  trackingNumber: string
  carrier: string
  history: StatusChange[]
  version: number
}

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING_PAYMENT: ['CONFIRMED', 'CANCELLED'],
  CONFIRMED: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
}

/** The state machine: PENDING_PAYMENT → CONFIRMED → SHIPPED → DELIVERED, PENDING_PAYMENT|CONFIRMED → CANCELLED. */
export const canTransition = (from: OrderStatus, to: OrderStatus) => NEXT[from].includes(to)

export const isTerminal = (status: OrderStatus) => NEXT[status].length === 0

export const itemCount = (lines: readonly OrderLine[]) => lines.reduce((n, l) => n + l.quantity, 0)

const STATUS_OF: Record<Exclude<OrderEvent['type'], 'OrderPlaced'>, OrderStatus> = {
  OrderConfirmed: 'CONFIRMED',
  OrderCancelled: 'CANCELLED',
  OrderShipped: 'SHIPPED',
  OrderDelivered: 'DELIVERED',
}

/** The order after one more event; events arrive from the store already checked, so none is refused here. */
export function evolve(order: Order | undefined, event: RecordedEvent): Order {
  if (event.type === 'OrderPlaced') {
    const { orderId, ...placed } = event.data
    return {
      ...placed,
      id: orderId,
      status: 'PENDING_PAYMENT',
      cancelReason: '',
      createdAt: event.recordedAt,
      updatedAt: event.recordedAt,
      confirmedAt: '',
      trackingNumber: '',
      carrier: '',
      history: [{ status: 'PENDING_PAYMENT', at: event.recordedAt, reason: '' }],
      version: event.version,
    }
  }
  if (!order) throw new Error(`order stream starts with ${event.type}, not OrderPlaced`)
  const status = STATUS_OF[event.type]
  const reason = event.type === 'OrderCancelled' ? event.data.reason : ''
  const next: Order = {
    ...order,
    status,
    updatedAt: event.recordedAt,
    history: [...order.history, { status, at: event.recordedAt, reason }],
    version: event.version,
  }
  switch (event.type) {
    case 'OrderConfirmed':
      return { ...next, confirmedAt: event.recordedAt }
    case 'OrderCancelled':
      return { ...next, cancelReason: event.data.reason }
    case 'OrderShipped':
      return { ...next, trackingNumber: event.data.trackingNumber, carrier: event.data.carrier }
    case 'OrderDelivered':
      return { ...next, trackingNumber: event.data.trackingNumber || order.trackingNumber }
  }
}

/** The order its events make, or undefined for an empty stream. */
export const foldOrder = (events: readonly RecordedEvent[]): Order | undefined =>
  events.reduce<Order | undefined>(evolve, undefined)

/** Something another service reported about an order. */
export type Reaction =
  | { kind: 'PaymentSucceeded'; paymentId: string; amount: Money }
  | { kind: 'PaymentFailed'; code: string; reason: string }
  | { kind: 'ReservationExpired'; reservationId: string }
  | { kind: 'ShipmentDispatched'; shipmentId: string; trackingNumber: string; carrier: string }
  /** parcelsRemaining: the order's parcels still on the way after this one; 0 (also before parcels): all arrived. */
  | {
      kind: 'ShipmentDelivered'
      shipmentId: string
      trackingNumber: string
      carrier: string
      parcelsRemaining: number
    }

export type ReactionDecision = { events: OrderEvent[] } | { ignored: string }

const cancelled = (order: Order, reason: CancelReason, detail = ''): OrderEvent => ({
  type: 'OrderCancelled',
  data: { reason, previousStatus: order.status, detail },
})

const sameMoney = (a: Money, b: Money) => a.amount === b.amount && a.currency === b.currency
const moneyText = (m: Money) => `${m.amount} ${m.currency || '(no currency)'}`

/** What an order does about a reported fact; a fact that does not fit its status is ignored, never an error. */
export function decideReaction(order: Order | undefined, reaction: Reaction): ReactionDecision {
  if (!order) return { ignored: 'unknown order' }
  const refuse = (to: OrderStatus) => ({ ignored: `${reaction.kind} for a ${order.status} order (to ${to})` })
  switch (reaction.kind) {
    case 'PaymentSucceeded':
      if (!canTransition(order.status, 'CONFIRMED')) return refuse('CONFIRMED')
      // a capture of another sum than the order's total does not pay for it: cancelled, so payments refunds it
      if (!sameMoney(reaction.amount, order.total))
        return {
          events: [
            cancelled(
              order,
              'payment_failed',
              `payment ${reaction.paymentId} captured ${moneyText(reaction.amount)}, the order's total is ${moneyText(order.total)}`,
            ),
          ],
        }
      return {
        events: [
          { type: 'OrderConfirmed', data: { paymentId: reaction.paymentId, amount: reaction.amount } },
        ],
      }
    case 'PaymentFailed':
      // only an unpaid order is cancelled by a failure: a late failure after a capture changes nothing
      if (order.status !== 'PENDING_PAYMENT') return refuse('CANCELLED')
      return {
        events: [
          cancelled(order, 'payment_failed', [reaction.code, reaction.reason].filter(Boolean).join(': ')),
        ],
      }
    case 'ReservationExpired':
      if (order.status !== 'PENDING_PAYMENT') return refuse('CANCELLED')
      if (reaction.reservationId && order.reservationId && reaction.reservationId !== order.reservationId)
        return { ignored: `reservation ${reaction.reservationId} is not the order's` }
      return { events: [cancelled(order, 'reservation_expired')] }
    // an order in parcels is SHIPPED when the first leaves (no longer cancellable), DELIVERED when the last arrives
    case 'ShipmentDispatched':
      if (order.status === 'SHIPPED') return { ignored: 'another parcel of a shipped order left' }
      if (!canTransition(order.status, 'SHIPPED')) return refuse('SHIPPED')
      return { events: [shipped(reaction)] }
    case 'ShipmentDelivered': {
      const arrived = reaction.parcelsRemaining > 0 ? [] : [delivered(reaction)]
      if (order.status === 'CONFIRMED')
        // the dispatch report is missing or late: the delivery proves it
        return { events: [shipped(reaction), ...arrived] }
      if (order.status === 'SHIPPED' && arrived.length === 0)
        return { ignored: `a parcel arrived, ${reaction.parcelsRemaining} still on the way` }
      if (!canTransition(order.status, 'DELIVERED')) return refuse('DELIVERED')
      return { events: arrived }
    }
  }
}

const shipped = (r: { shipmentId: string; trackingNumber: string; carrier: string }): OrderEvent => ({
  type: 'OrderShipped',
  data: { shipmentId: r.shipmentId, trackingNumber: r.trackingNumber, carrier: r.carrier },
})
const delivered = (r: { shipmentId: string; trackingNumber: string }): OrderEvent => ({
  type: 'OrderDelivered',
  data: { shipmentId: r.shipmentId, trackingNumber: r.trackingNumber },
})

/** The customer's cancel: allowed before the order ships, refused (ORDERS_INVALID_TRANSITION) after. */
export function decideCancel(order: Order): OrderEvent[] {
  if (!canTransition(order.status, 'CANCELLED'))
    throw OrdersErrors.invalidTransition(order.status, 'CANCELLED')
  return [cancelled(order, 'customer_cancelled')]
}
