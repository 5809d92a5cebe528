import type { Queryable, Tx } from '@microshop/chassis'
import type { Shipment, ShipmentStatus } from '../domain/shipment.js'

interface ShipmentRow {
  id: string
  order_id: string
  user_id: string
  parcel_number: number
  parcel_count: number
  status: ShipmentStatus
  carrier: string
  tracking_number: string
  cost_amount: number
  cost_currency: string
  weight_grams: number
  destination_country: string
  estimated_days: number
  created_at: Date
  dispatch_due_at: Date
  deliver_due_at: Date
  dispatched_at: Date | null
  delivered_at: Date | null
  cancelled_at: Date | null
  traceparent: string | null
}

/** An order the carrier has to act on: its parcels, and the trace its shipments were created in. */
export interface DueOrder {
  parcels: Shipment[]
  traceparent: string | undefined
}

const fromRow = (r: ShipmentRow): Shipment => ({
  id: r.id,
  orderId: r.order_id,
  userId: r.user_id,
  parcelNumber: r.parcel_number,
  parcelCount: r.parcel_count,
  status: r.status,
  carrier: r.carrier,
  trackingNumber: r.tracking_number,
  cost: { amount: r.cost_amount, currency: r.cost_currency },
  weightGrams: r.weight_grams,
  destinationCountry: r.destination_country,
  estimatedDays: r.estimated_days,
  createdAt: r.created_at,
  dispatchDueAt: r.dispatch_due_at,
  deliverDueAt: r.deliver_due_at,
  dispatchedAt: r.dispatched_at ?? undefined,
  deliveredAt: r.delivered_at ?? undefined,
  cancelledAt: r.cancelled_at ?? undefined,
})

/**
 * SQL for the shipments table. Each method runs where it is told, first argument: a read on the pool or
 * a transaction, a write (or a read that locks) in a transaction.
 */
export const shipmentStore = {
  /** The order's parcels, by parcel number; none before the order is confirmed. */
  async findByOrder(q: Queryable, orderId: string): Promise<Shipment[]> {
    const { rows } = await q.query<ShipmentRow>(
      'select * from shipments where order_id = $1 order by parcel_number',
      [orderId],
    )
    return rows.map(fromRow)
  },

  /** Inserts the parcel unless the order has it; true when this call created it. traceparent: see DueOrder. */
  async insert(tx: Tx, s: Shipment, nextStepAt: Date | null, traceparent?: string): Promise<boolean> {
    const { rowCount } = await tx.query(
      `insert into shipments (id, order_id, user_id, parcel_number, parcel_count, status, carrier, tracking_number,
           cost_amount, cost_currency, weight_grams, destination_country, estimated_days, created_at, dispatch_due_at,
           deliver_due_at, next_step_at, traceparent)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
         on conflict (order_id, parcel_number) do nothing`,
      [
        s.id,
        s.orderId,
        s.userId,
        s.parcelNumber,
        s.parcelCount,
        s.status,
        s.carrier,
        s.trackingNumber,
        s.cost.amount,
        s.cost.currency,
        s.weightGrams,
        s.destinationCountry,
        s.estimatedDays,
        s.createdAt,
        s.dispatchDueAt,
        s.deliverDueAt,
        nextStepAt,
        traceparent ?? null,
      ],
    )
    return rowCount === 1
  },

  /** Locks the order's parcels for the rest of tx, the first parcel first (see lockDueOrders). */
  async lockByOrder(tx: Tx, orderId: string): Promise<Shipment[]> {
    const { rows } = await tx.query<ShipmentRow>(
      'select * from shipments where order_id = $1 order by parcel_number for update',
      [orderId],
    )
    return rows.map(fromRow)
  },

  /**
   * Locks the orders with a parcel the carrier has to act on by `now`, all of each one's parcels, up to `limit`
   * due parcels' worth, skipping orders another instance holds. An order is locked through its first parcel:
   * whoever holds that row holds the order, so no two instances ever move parcels of one order at once, and
   * the count of parcels still on their way is never read from a half-moved order.
   */
  async lockDueOrders(tx: Tx, now: Date, limit: number): Promise<DueOrder[]> {
    const { rows: held } = await tx.query<{ order_id: string }>(
      `select order_id from shipments
        where parcel_number = 1
          and order_id in (select order_id from shipments where next_step_at <= $1 order by next_step_at limit $2)
        for update skip locked`,
      [now, limit],
    )
    if (held.length === 0) return []
    const { rows } = await tx.query<ShipmentRow>(
      'select * from shipments where order_id = any($1) order by order_id, parcel_number for update',
      [held.map((r) => r.order_id)],
    )
    const orders = new Map<string, DueOrder>()
    for (const row of rows) {
      const due = orders.get(row.order_id) ?? { parcels: [], traceparent: row.traceparent ?? undefined }
      due.parcels.push(fromRow(row))
      orders.set(row.order_id, due)
    }
    return [...orders.values()]
  },

  async saveProgress(tx: Tx, s: Shipment, nextStepAt: Date | null): Promise<void> {
    await tx.query(
      `update shipments set status = $2, dispatched_at = $3, delivered_at = $4, cancelled_at = $5, next_step_at = $6
          where id = $1`,
      [s.id, s.status, s.dispatchedAt ?? null, s.deliveredAt ?? null, s.cancelledAt ?? null, nextStepAt],
    )
  },
}

export type ShipmentStore = typeof shipmentStore
