import { advisoryLocks, type Queryable, type Tx } from '@microshop/chassis'
import type { Movement, StockLevel } from '../domain/stock.js'

interface LevelRow {
  product_id: string
  on_hand: number
  reserved: number
  low: boolean
}

const toLevel = (r: LevelRow): StockLevel => ({
  productId: r.product_id,
  onHand: r.on_hand,
  reserved: r.reserved,
  low: r.low,
})

/** A movement as the ledger keeps it: with the level it left behind. */
export interface LedgerEntry extends Movement {
  onHandAfter: number
  reservedAfter: number
}

// one fixed key: the replicas of the inventory take turns seeding

export type StockStore = typeof stockStore

/**
 * SQL for stock levels (the projection), the movement ledger and the seeding record. Each method runs
 * where it is told, first argument: a read on the pool or a transaction, a write in a transaction.
 */
export const stockStore = {
  /** The levels of the products found among ids. */
  async levels(q: Queryable, ids: readonly string[]): Promise<StockLevel[]> {
    const { rows } = await q.query<LevelRow>(
      'select product_id, on_hand, reserved, low from stock_levels where product_id = any($1::text[])',
      [ids],
    )
    return rows.map(toLevel)
  },

  /** Locks the levels of the products found among ids, always in product id order (no deadlocks). */
  async lock(tx: Tx, ids: readonly string[]): Promise<Map<string, StockLevel>> {
    const { rows } = await tx.query<LevelRow>(
      `select product_id, on_hand, reserved, low from stock_levels
          where product_id = any($1::text[]) order by product_id for update`,
      [ids],
    )
    return new Map(rows.map((r) => [r.product_id, toLevel(r)]))
  },

  /** Creates empty levels for products not known yet; returns the ids it created. */
  async create(tx: Tx, ids: readonly string[]): Promise<string[]> {
    const { rows } = await tx.query<{ product_id: string }>(
      `insert into stock_levels (product_id) select unnest($1::text[]) order by 1
           on conflict (product_id) do nothing returning product_id`,
      [ids],
    )
    return rows.map((r) => r.product_id)
  },

  async save(tx: Tx, levels: readonly StockLevel[]): Promise<void> {
    if (levels.length === 0) return
    await tx.query(
      `update stock_levels l set on_hand = v.on_hand, reserved = v.reserved, low = v.low, updated_at = now()
           from unnest($1::text[], $2::int[], $3::int[], $4::bool[]) as v (product_id, on_hand, reserved, low)
          where l.product_id = v.product_id`,
      [
        levels.map((l) => l.productId),
        levels.map((l) => l.onHand),
        levels.map((l) => l.reserved),
        levels.map((l) => l.low),
      ],
    )
  },

  async append(tx: Tx, entries: readonly LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return
    await tx.query(
      `insert into stock_movements (product_id, kind, quantity, reservation_id, order_id, on_hand_after, reserved_after)
         select * from unnest($1::text[], $2::text[], $3::int[], $4::uuid[], $5::text[], $6::int[], $7::int[])`,
      [
        entries.map((e) => e.productId),
        entries.map((e) => e.kind),
        entries.map((e) => e.quantity),
        entries.map((e) => e.reservationId ?? null),
        entries.map((e) => e.orderId ?? null),
        entries.map((e) => e.onHandAfter),
        entries.map((e) => e.reservedAfter),
      ],
    )
  },

  async isSeeded(q: Queryable): Promise<boolean> {
    const { rowCount } = await q.query('select 1 from stock_seeding')
    return (rowCount ?? 0) > 0
  },

  /** Takes the seeding turn for this transaction; true when seeding is still to be done. */
  async claimSeeding(tx: Tx): Promise<boolean> {
    await tx.query('select pg_advisory_xact_lock($1)', [advisoryLocks.inventorySeed])
    const { rowCount } = await tx.query('select 1 from stock_seeding')
    return rowCount === 0
  },

  async markSeeded(tx: Tx, products: number): Promise<void> {
    await tx.query('insert into stock_seeding (products) values ($1)', [products])
  },
}
