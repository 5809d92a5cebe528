import type { Queryable, Tx } from '@microshop/chassis'
import type { ReservationLine, ReservationStatus } from '../domain/reservation.js'

export interface Reservation {
  id: string
  orderId: string
  status: ReservationStatus
  expiresAt: Date
  lines: ReservationLine[]
}

interface ReservationRow {
  id: string
  order_id: string
  status: ReservationStatus
  expires_at: Date
}

export type ReservationStore = typeof reservationStore

const RESERVATION = 'id, order_id, status, expires_at'

const withLines = async (q: Queryable, row: ReservationRow | undefined): Promise<Reservation | undefined> => {
  if (!row) return undefined
  const { rows } = await q.query<{ product_id: string; quantity: number }>(
    'select product_id, quantity from reservation_lines where reservation_id = $1 order by product_id',
    [row.id],
  )
  return {
    id: row.id,
    orderId: row.order_id,
    status: row.status,
    expiresAt: row.expires_at,
    lines: rows.map((r) => ({ productId: r.product_id, quantity: r.quantity })),
  }
}

/**
 * SQL for reservations and their lines. Each method runs where it is told, first argument: a read on the
 * pool or a transaction, a write (or a read that locks) in a transaction.
 */
export const reservationStore = {
  /**
   * Creates the order's reservation, or returns undefined when the order already has one (a concurrent
   * insert for the same order waits for that one's transaction to end). expires_at is the database's now + ttl.
   */
  async insert(
    tx: Tx,
    r: { id: string; orderId: string; status: ReservationStatus; ttlSeconds: number },
  ): Promise<{ id: string; expiresAt: Date } | undefined> {
    const { rows } = await tx.query<{ id: string; expires_at: Date }>(
      `insert into reservations (id, order_id, status, expires_at)
         values ($1, $2, $3, now() + make_interval(secs => $4))
         on conflict (order_id) do nothing returning id, expires_at`,
      [r.id, r.orderId, r.status, r.ttlSeconds],
    )
    return rows[0] && { id: rows[0].id, expiresAt: rows[0].expires_at }
  },

  async insertLines(tx: Tx, reservationId: string, lines: readonly ReservationLine[]): Promise<void> {
    await tx.query(
      `insert into reservation_lines (reservation_id, product_id, quantity)
         select $1, * from unnest($2::text[], $3::int[])`,
      [reservationId, lines.map((l) => l.productId), lines.map((l) => l.quantity)],
    )
  },

  /** The order's reservation. */
  async byOrder(q: Queryable, orderId: string) {
    const { rows } = await q.query<ReservationRow>(
      `select ${RESERVATION} from reservations where order_id = $1`,
      [orderId],
    )
    return withLines(q, rows[0])
  },

  /** The order's reservation, locked until tx ends. */
  async lockByOrder(tx: Tx, orderId: string) {
    const { rows } = await tx.query<ReservationRow>(
      `select ${RESERVATION} from reservations where order_id = $1 for update`,
      [orderId],
    )
    return withLines(tx, rows[0])
  },

  /** Locks one active reservation past its time that no other transaction holds (replicas share the work). */
  async lockNextExpired(tx: Tx): Promise<Reservation | undefined> {
    const { rows } = await tx.query<ReservationRow>(
      `select ${RESERVATION} from reservations
          where status = 'active' and expires_at <= now()
          order by expires_at limit 1 for update skip locked`,
    )
    return withLines(tx, rows[0])
  },

  async setStatus(tx: Tx, id: string, status: ReservationStatus): Promise<void> {
    await tx.query('update reservations set status = $2, updated_at = now() where id = $1', [id, status])
  },
}
