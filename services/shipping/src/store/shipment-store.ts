import type { Queryable, Tx } from '@microshop/chassis'
import type { Shipment, ShipmentStatus } from '../domain/shipment.js'

interface ShipmentRow {
  id: string
  order_id: string
  user_id: string
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
}

const fromRow = (r: ShipmentRow): Shipment => ({
  id: r.id,
  orderId: r.order_id,
  userId: r.user_id,
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
  async findByOrder(q: Queryable, orderId: string): Promise<Shipment | undefined> {
    const { rows } = await q.query<ShipmentRow>('select * from shipments where order_id = $1', [orderId])
    return rows[0] ? fromRow(rows[0]) : undefined
  },

  /** Inserts the shipment unless the order has one; true when this call created it. */
  async insert(tx: Tx, s: Shipment, nextStepAt: Date | null): Promise<boolean> {
    const { rowCount } = await tx.query(
      `insert into shipments (id, order_id, user_id, status, carrier, tracking_number, cost_amount, cost_currency,
           weight_grams, destination_country, estimated_days, created_at, dispatch_due_at, deliver_due_at, next_step_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         on conflict (order_id) do nothing`,
      [
        s.id,
        s.orderId,
        s.userId,
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
      ],
    )
    return rowCount === 1
  },

  /** Locks the order's shipment for the rest of tx. */
  async lockByOrder(tx: Tx, orderId: string): Promise<Shipment | undefined> {
    const { rows } = await tx.query<ShipmentRow>('select * from shipments where order_id = $1 for update', [
      orderId,
    ])
    return rows[0] ? fromRow(rows[0]) : undefined
  },

  /** Locks up to `limit` shipments the carrier has to act on by `now`, skipping those another instance holds. */
  async lockDue(tx: Tx, now: Date, limit: number): Promise<Shipment[]> {
    const { rows } = await tx.query<ShipmentRow>(
      `select * from shipments where next_step_at <= $1
          order by next_step_at limit $2 for update skip locked`,
      [now, limit],
    )
    return rows.map(fromRow)
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
