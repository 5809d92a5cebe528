import type { Queryable } from '@microshop/chassis'
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

export type ReservationStore = ReturnType<typeof createReservationStore>

/** SQL for reservations and their lines. */
export function createReservationStore() {
  const withLines = async (
    q: Queryable,
    row: ReservationRow | undefined,
  ): Promise<Reservation | undefined> => {
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

  return {
    /**
     * Creates the order's reservation, or returns undefined when the order already has one (a concurrent
     * insert for the same order waits for that one's transaction to end). expires_at is the database's now + ttl.
     */
    async insert(
      tx: Queryable,
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

    async insertLines(
      tx: Queryable,
      reservationId: string,
      lines: readonly ReservationLine[],
    ): Promise<void> {
      await tx.query(
        `insert into reservation_lines (reservation_id, product_id, quantity)
         select $1, * from unnest($2::text[], $3::int[])`,
        [reservationId, lines.map((l) => l.productId), lines.map((l) => l.quantity)],
      )
    },

    /** The order's reservation; with lock, held until the transaction ends. */
    async byOrder(q: Queryable, orderId: string, opts: { lock?: boolean } = {}) {
      const { rows } = await q.query<ReservationRow>(
        `select id, order_id, status, expires_at from reservations where order_id = $1${opts.lock ? ' for update' : ''}`,
        [orderId],
      )
      return withLines(q, rows[0])
    },

    /** Locks one active reservation past its time that no other transaction holds (replicas share the work). */
    async lockNextExpired(tx: Queryable): Promise<Reservation | undefined> {
      const { rows } = await tx.query<ReservationRow>(
        `select id, order_id, status, expires_at from reservations
          where status = 'active' and expires_at <= now()
          order by expires_at limit 1 for update skip locked`,
      )
      return withLines(tx, rows[0])
    },

    async setStatus(tx: Queryable, id: string, status: ReservationStatus): Promise<void> {
      await tx.query('update reservations set status = $2, updated_at = now() where id = $1', [id, status])
    },
  }
}
