import { isAppError, type ServiceClient } from '@microshop/chassis'
import type { Money } from '@microshop/contracts/common/v1/common'
import type { ShippingAddress } from '@microshop/contracts/common/v1/order'
import type {
  Order,
  OrdersServiceService,
  PaymentMethod,
  StatusChange,
} from '@microshop/contracts/orders/v1/orders'
import {
  type Payment,
  PaymentStatus,
  type PaymentsServiceService,
} from '@microshop/contracts/payments/v1/payments'
import {
  type Shipment,
  ShipmentStatus,
  type ShippingServiceService,
} from '@microshop/contracts/shipping/v1/shipping'
import type { CardInput } from './card-tokens.js'
import { statusName } from './order-status.js'

export type OrdersClient = ServiceClient<typeof OrdersServiceService>
export type PaymentsClient = ServiceClient<typeof PaymentsServiceService>
export type ShippingClient = ServiceClient<typeof ShippingServiceService>

export const MAX_ORDERS_PAGE_SIZE = 50

const PAYMENT_STATUS: Partial<Record<PaymentStatus, string>> = {
  [PaymentStatus.PAYMENT_STATUS_PENDING]: 'PENDING',
  [PaymentStatus.PAYMENT_STATUS_CAPTURED]: 'CAPTURED',
  [PaymentStatus.PAYMENT_STATUS_FAILED]: 'FAILED',
  [PaymentStatus.PAYMENT_STATUS_REFUNDED]: 'REFUNDED',
}

const SHIPMENT_STATUS: Partial<Record<ShipmentStatus, string>> = {
  [ShipmentStatus.SHIPMENT_STATUS_CREATED]: 'CREATED',
  [ShipmentStatus.SHIPMENT_STATUS_DISPATCHED]: 'DISPATCHED',
  [ShipmentStatus.SHIPMENT_STATUS_DELIVERED]: 'DELIVERED',
  [ShipmentStatus.SHIPMENT_STATUS_CANCELLED]: 'CANCELLED',
}

const ZERO: Money = { amount: 0, currency: 'USD' }
const money = (m: Money | undefined) => m ?? ZERO
const optional = (value: string) => value || undefined

export interface AddressInput {
  name?: string
  line1: string
  line2?: string
  city: string
  region?: string
  postalCode: string
  country: string
  phone?: string
}

export interface PlaceOrderInput {
  lines?: { productId: string; quantity: number }[]
  shippingAddress: AddressInput
  /** One of the two: a card, or the token of a card tokenised before. */
  payment: { card?: CardInput; token?: string }
}

const toPaymentMethod = (p: PlaceOrderInput['payment']): PaymentMethod =>
  p.token ? { card: undefined, token: p.token } : { card: p.card, token: '' }

const toShippingAddress = (a: AddressInput): ShippingAddress => ({
  name: a.name ?? '',
  line1: a.line1,
  line2: a.line2 ?? '',
  city: a.city,
  region: a.region ?? '',
  postalCode: a.postalCode,
  country: a.country,
  phone: a.phone ?? '',
})

const historyView = (h: StatusChange) => ({
  status: statusName(h.status),
  at: h.at,
  reason: optional(h.reason),
})

/** An order as the public API shows it: statuses by name, no internal ids of other services. */
export const orderView = (o: Order) => ({
  id: o.id,
  status: statusName(o.status),
  lines: o.lines.map((l) => ({
    productId: l.productId,
    name: l.name,
    quantity: l.quantity,
    unitPrice: money(l.unitPrice),
    lineTotal: money(l.lineTotal),
  })),
  itemCount: o.itemCount || o.lines.reduce((n, l) => n + l.quantity, 0),
  subtotal: o.subtotal,
  shipping: o.shipping,
  total: money(o.total),
  shippingAddress: o.shippingAddress && {
    name: optional(o.shippingAddress.name),
    line1: o.shippingAddress.line1,
    line2: optional(o.shippingAddress.line2),
    city: o.shippingAddress.city,
    region: optional(o.shippingAddress.region),
    postalCode: o.shippingAddress.postalCode,
    country: o.shippingAddress.country,
    phone: optional(o.shippingAddress.phone),
  },
  paymentSummary: optional(o.paymentSummary),
  cancelReason: optional(o.cancelReason),
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
  history: o.history.map(historyView),
})

export const paymentView = (p: Payment) => ({
  id: p.id,
  status: PAYMENT_STATUS[p.status] ?? 'PENDING',
  amount: money(p.amount),
  refunded: money(p.refunded),
  method: p.method,
  failureCode: optional(p.failureCode),
  failureReason: optional(p.failureReason),
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
})

/** One parcel's shipment; a shipment made before parcels is the only one of its order. */
export const shipmentView = (s: Shipment) => ({
  id: s.id,
  parcelNumber: s.parcelNumber || 1,
  parcelCount: s.parcelCount || 1,
  status: SHIPMENT_STATUS[s.status] ?? 'CREATED',
  carrier: s.carrier,
  trackingNumber: s.trackingNumber,
  cost: money(s.cost),
  weightGrams: s.weightGrams,
  destinationCountry: s.destinationCountry,
  estimatedDays: s.estimatedDays,
  createdAt: s.createdAt,
  dispatchedAt: optional(s.dispatchedAt),
  deliveredAt: optional(s.deliveredAt),
})

/** The status an order is in now, as the first event of its live stream. */
export const currentStatusOf = (o: Order) => {
  const last = o.history.at(-1)
  return {
    orderId: o.id,
    status: statusName(o.status),
    reason: o.cancelReason || last?.reason || '',
    at: last?.at || o.updatedAt || o.createdAt,
    version: o.version,
  }
}

/**
 * The caller's orders, composed from orders, payments and shipping; the caller's token travels with
 * every call. Payment and shipment are extras of the detail: a part that cannot be had is null.
 */
export function createOrders(deps: {
  orders: OrdersClient
  payments: PaymentsClient
  shipping: ShippingClient
  /** Deadline of the optional parts, shorter than the order's own. */
  partDeadlineMs: number
}) {
  const { orders, payments, shipping } = deps
  const part = <T>(call: Promise<T>) =>
    call.catch((err: unknown) => {
      if (isAppError(err)) return undefined
      throw err
    })

  return {
    async place(idempotencyKey: string, input: PlaceOrderInput) {
      const placed = await orders.call(
        'placeOrder',
        {
          idempotencyKey,
          lines: input.lines ?? [],
          shippingAddress: toShippingAddress(input.shippingAddress),
          payment: toPaymentMethod(input.payment),
        },
        { retry: false },
      )
      return { orderId: placed.orderId, status: statusName(placed.status), replayed: placed.replayed }
    },

    async list(query: { pageSize?: number; pageToken?: string }) {
      const r = await orders.call('listOrders', {
        page: {
          pageSize: Math.min(query.pageSize ?? 20, MAX_ORDERS_PAGE_SIZE),
          pageToken: query.pageToken ?? '',
        },
      })
      return {
        items: r.orders.map(orderView),
        ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}),
      }
    },

    /** The order (its own failure is the answer's), with its payment and shipments asked at the same time. */
    async detail(orderId: string) {
      const opts = { deadlineMs: deps.partDeadlineMs }
      const [order, payment, shipments] = await Promise.all([
        orders.call('getOrder', { orderId }),
        part(payments.call('getPayment', { orderId }, opts)),
        part(shipping.call('getShipment', { orderId }, opts)),
      ])
      const first = shipments?.shipment
      // a shipping from before parcels sends the one shipment alone
      const parcels = shipments?.shipments.length ? shipments.shipments : first ? [first] : []
      return {
        ...orderView(order.order!),
        payment: payment?.payment ? paymentView(payment.payment) : null,
        shipment: first ? shipmentView(first) : null,
        shipments: parcels.map(shipmentView),
      }
    },

    /** The order itself, for the caller only (NOT_FOUND for others' orders). */
    async get(orderId: string) {
      return (await orders.call('getOrder', { orderId })).order!
    },

    async cancel(orderId: string) {
      return orderView((await orders.call('cancelOrder', { orderId }, { retry: false })).order!)
    },
  }
}

export type Orders = ReturnType<typeof createOrders>
