import type { Queryable, Tx } from '@microshop/chassis'
import { itemCount, type Money, type Order, type OrderStatus, type RecordedEvent } from '../domain/order.js'
import type { PageCursor } from '../domain/paging.js'
import { salesEffect } from '../domain/sales.js'

export interface OrderSummary {
  id: string
  userId: string
  status: OrderStatus
  total: Money
  itemCount: number
  createdAt: string
  updatedAt: string
  version: number
}

export interface SalesRow {
  day: string
  productId: string
  quantity: number
  revenue: Money
}

/** The tables the projector writes, in the order every writer locks them. */
export const READ_MODEL_TABLES = ['order_summaries', 'sales_daily', 'sales_orders_daily'] as const

/**
 * The projector: applies one order event to the read models, given the order before and after it. The only
 * writer of those tables, live (in the event's transaction) and during a rebuild; it reads no clock.
 */
export async function projectEvent(tx: Tx, before: Order | undefined, event: RecordedEvent, after: Order) {
  await tx.query(
    `insert into order_summaries (order_id, user_id, status, total_amount, currency, item_count, created_at, updated_at, version)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (order_id) do update
       set status = excluded.status, updated_at = excluded.updated_at, version = excluded.version
       where order_summaries.version < excluded.version`,
    [
      after.id,
      after.userId,
      after.status,
      after.total.amount,
      after.total.currency,
      itemCount(after.lines),
      after.createdAt,
      after.updatedAt,
      after.version,
    ],
  )
  const sales = salesEffect(before, event, after)
  if (!sales) return
  for (const line of sales.lines)
    await tx.query(
      `insert into sales_daily (day, product_id, quantity, revenue_amount, currency) values ($1, $2, $3, $4, $5)
       on conflict (day, product_id) do update
         set quantity = sales_daily.quantity + excluded.quantity,
             revenue_amount = sales_daily.revenue_amount + excluded.revenue_amount`,
      [sales.day, line.productId, line.quantity, line.revenue.amount, line.revenue.currency],
    )
  await tx.query(
    `insert into sales_orders_daily (day, orders_confirmed, orders_cancelled) values ($1, $2, $3)
     on conflict (day) do update
       set orders_confirmed = sales_orders_daily.orders_confirmed + excluded.orders_confirmed,
           orders_cancelled = sales_orders_daily.orders_cancelled + excluded.orders_cancelled`,
    [sales.day, sales.ordersConfirmed, sales.ordersCancelled],
  )
}

interface SummaryRow {
  order_id: string
  user_id: string
  status: OrderStatus
  total_amount: number
  currency: string
  item_count: number
  created_at: Date
  updated_at: Date
  version: number
}

const toSummary = (r: SummaryRow): OrderSummary => ({
  id: r.order_id,
  userId: r.user_id,
  status: r.status,
  total: { amount: r.total_amount, currency: r.currency },
  itemCount: r.item_count,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  version: r.version,
})

/** Queries of the read models. */
export const readModel = {
  /** The user's orders waiting for payment and the units they hold reserved. */
  async pendingOf(q: Queryable, userId: string): Promise<{ pendingOrders: number; reservedUnits: number }> {
    const { rows } = await q.query<{ orders: number; units: number }>(
      `select count(*)::int as orders, coalesce(sum(item_count), 0)::int as units
         from order_summaries where user_id = $1 and status = 'PENDING_PAYMENT'`,
      [userId],
    )
    return { pendingOrders: rows[0]?.orders ?? 0, reservedUnits: rows[0]?.units ?? 0 }
  },

  /** A user's orders, newest first, after the cursor; one more than asked tells whether a next page exists. */
  async listSummaries(q: Queryable, userId: string, limit: number, after: PageCursor | undefined) {
    const { rows } = await q.query<SummaryRow>(
      `select * from order_summaries
        where user_id = $1 and ($2::timestamptz is null or (created_at, order_id) < ($2::timestamptz, $3::uuid))
        order by created_at desc, order_id desc limit $4`,
      [userId, after?.createdAt ?? null, after?.id ?? null, limit],
    )
    return rows.map(toSummary)
  },

  async sales(q: Queryable, from: string, to: string) {
    const lines = await q.query<{
      day: string
      product_id: string
      quantity: number
      revenue_amount: number
      currency: string
    }>(
      `select to_char(day, 'YYYY-MM-DD') as day, product_id, quantity, revenue_amount, currency from sales_daily
        where day between $1::date and $2::date order by day, product_id`,
      [from, to],
    )
    const orders = await q.query<{ confirmed: number; cancelled: number }>(
      `select coalesce(sum(orders_confirmed), 0)::int as confirmed, coalesce(sum(orders_cancelled), 0)::int as cancelled
         from sales_orders_daily where day between $1::date and $2::date`,
      [from, to],
    )
    const rows: SalesRow[] = lines.rows.map((r) => ({
      day: r.day,
      productId: r.product_id,
      quantity: r.quantity,
      revenue: { amount: r.revenue_amount, currency: r.currency },
    }))
    return { rows, ordersConfirmed: orders.rows[0]!.confirmed, ordersCancelled: orders.rows[0]!.cancelled }
  },

  /** Empties the read models (inside a rebuild's transaction: everyone else waits for it). */
  async truncate(tx: Tx) {
    await tx.query(`lock table ${READ_MODEL_TABLES.join(', ')} in access exclusive mode`)
    await tx.query(`truncate ${READ_MODEL_TABLES.join(', ')}`)
  },
}
