import { type Handlers, requireRole } from '@microshop/chassis'
import type { Order as OrderMessage, OrdersServiceService } from '@microshop/contracts/orders/v1/orders'
import type { CancelOrder } from '../app/cancel-order.js'
import type { PlaceOrder } from '../app/place-order.js'
import type { Queries } from '../app/queries.js'
import { itemCount, type Order, type OrderStatus } from '../domain/order.js'
import { toStatusMessage } from '../events/order-events.js'
import type { OrderSummary } from '../store/read-model.js'

const EMPTY_ADDRESS = {
  name: '',
  line1: '',
  line2: '',
  city: '',
  region: '',
  postalCode: '',
  country: '',
  phone: '',
}

/** The whole order, as GetOrder and CancelOrder answer it; the payment token stays inside. */
export const toOrderMessage = (o: Order): OrderMessage => ({
  id: o.id,
  userId: o.userId,
  status: toStatusMessage(o.status),
  lines: o.lines,
  subtotal: o.subtotal,
  shipping: o.shipping,
  total: o.total,
  shippingAddress: o.shippingAddress,
  paymentSummary: o.paymentSummary,
  cancelReason: o.cancelReason,
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
  history: o.history.map((h) => ({ status: toStatusMessage(h.status), at: h.at, reason: h.reason })),
  version: o.version,
  itemCount: itemCount(o.lines),
})

/** A list entry from the read model: no lines, no history. */
const fromSummary = (s: OrderSummary): OrderMessage => ({
  id: s.id,
  userId: s.userId,
  status: toStatusMessage(s.status as OrderStatus),
  lines: [],
  subtotal: undefined,
  shipping: undefined,
  total: s.total,
  shippingAddress: undefined,
  paymentSummary: '',
  cancelReason: '',
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
  history: [],
  version: s.version,
  itemCount: s.itemCount,
})

/** gRPC handlers: read the request and the caller, call the use case, shape the response. */
export function createOrdersHandlers(app: {
  placeOrder: PlaceOrder
  cancelOrder: CancelOrder
  queries: Queries
}): Handlers<typeof OrdersServiceService> {
  return {
    async placeOrder(req, ctx) {
      const caller = await ctx.requireCaller()
      const card = req.payment?.card
      const result = await app.placeOrder(caller.userId, {
        idempotencyKey: req.idempotencyKey,
        lines: req.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
        shippingAddress: req.shippingAddress ? { ...EMPTY_ADDRESS, ...req.shippingAddress } : undefined,
        card: card
          ? { number: card.number, expMonth: card.expMonth, expYear: card.expYear, cvc: card.cvc }
          : undefined,
        token: req.payment?.token || undefined,
      })
      ctx.annotate({ 'order.id': result.orderId })
      return {
        orderId: result.orderId,
        status: toStatusMessage(result.status as OrderStatus),
        replayed: result.replayed,
      }
    },
    async getOrder(req, ctx) {
      return { order: toOrderMessage(await app.queries.getOrder(await ctx.requireCaller(), req.orderId)) }
    },
    async listOrders(req, ctx) {
      const caller = await ctx.requireCaller()
      const page = await app.queries.listOrders(caller, {
        pageSize: req.page?.pageSize ?? 0,
        pageToken: req.page?.pageToken ?? '',
      })
      return { orders: page.orders.map(fromSummary), nextPageToken: page.nextPageToken }
    },
    async cancelOrder(req, ctx) {
      return { order: toOrderMessage(await app.cancelOrder(await ctx.requireCaller(), req.orderId)) }
    },
    async getSales(req, ctx) {
      requireRole(await ctx.requireCaller(), 'admin')
      const sales = await app.queries.getSales({ from: req.from, to: req.to })
      return {
        rows: sales.rows,
        ordersConfirmed: sales.ordersConfirmed,
        ordersCancelled: sales.ordersCancelled,
        revenue: sales.revenue,
      }
    },
  }
}
