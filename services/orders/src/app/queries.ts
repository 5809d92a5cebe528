import { type Clock, clampPageSize, type Db, type Principal } from '@microshop/chassis'
import { OrdersErrors } from '../domain/errors.js'
import { foldOrder, type Order } from '../domain/order.js'
import { orderPageTokens } from '../domain/paging.js'
import { eventStore } from '../store/event-store.js'
import { readModel } from '../store/read-model.js'
import { canSee } from './cancel-order.js'

const DAY_MS = 86_400_000
const SALES_DEFAULT_DAYS = 30

function dayOf(text: string, field: string): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : new Date(text)
  if (Number.isNaN(date.getTime())) throw OrdersErrors.invalidDate(field)
  return date.toISOString().slice(0, 10)
}

/** The read side: one order from its stream, lists and sales from the read models. */
export function createQueries(deps: { db: Db; maxPageSize: number; clock: Clock }) {
  const now = deps.clock
  return {
    /** One order with its history, for its owner or an admin (NOT_FOUND for anyone else). */
    async getOrder(caller: Principal, orderId: string): Promise<Order> {
      const order = foldOrder(await eventStore.load(deps.db, orderId))
      if (!canSee(order, caller)) throw OrdersErrors.orderNotFound(orderId)
      return order
    },

    async listOrders(caller: Principal, page: { pageSize: number; pageToken: string }) {
      const start = orderPageTokens.decode(page.pageToken)
      if (!start) throw OrdersErrors.invalidPageToken()
      const size = clampPageSize(page.pageSize, deps.maxPageSize)
      const rows = await readModel.listSummaries(deps.db, caller.userId, size + 1, start.after)
      const orders = rows.slice(0, size)
      const last = orders[orders.length - 1]
      return {
        orders,
        nextPageToken:
          rows.length > size && last
            ? orderPageTokens.encode({ createdAt: last.createdAt, id: last.id })
            : '',
      }
    },

    /** Sales per day and product between two dates (inclusive; the last 30 days by default). */
    async getSales(range: { from: string; to: string }) {
      const to = range.to ? dayOf(range.to, 'to') : now().toISOString().slice(0, 10)
      const from = range.from
        ? dayOf(range.from, 'from')
        : new Date(Date.parse(to) - (SALES_DEFAULT_DAYS - 1) * DAY_MS).toISOString().slice(0, 10)
      const sales = await readModel.sales(deps.db, from, to)
      const currency = sales.rows[0]?.revenue.currency ?? 'USD'
      return {
        ...sales,
        revenue: { amount: sales.rows.reduce((sum, r) => sum + r.revenue.amount, 0), currency },
      }
    },
  }
}

export type Queries = ReturnType<typeof createQueries>
