import type { Queryable, Tx } from '@microshop/chassis'
import type { StoredLine } from '../domain/cart.js'

interface CartRow {
  id: string
  user_id: string | null
  updated_at: Date
}

interface LineRow {
  product_id: string
  quantity: number
  added_at: Date
}

export interface CartHeader {
  id: string
  userId: string
  updatedAt: string
}

const toHeader = (r: CartRow): CartHeader => ({
  id: r.id,
  userId: r.user_id ?? '',
  updatedAt: r.updated_at.toISOString(),
})

const toLine = (r: LineRow): StoredLine => ({
  productId: r.product_id,
  quantity: r.quantity,
  addedAt: r.added_at.toISOString(),
})

const CART = 'id, user_id, updated_at'

// an anonymous cart past its time to live is gone, whether or not the pruner got to it yet
const LIVE_ANONYMOUS = `user_id is null and token_hash = $1 and updated_at > now() - $2 * interval '1 day'`

export type CartStore = ReturnType<typeof createCartStore>

/**
 * SQL for carts and their lines. Each method runs where it is told, first argument: a read on the pool or a
 * transaction, a write in a transaction; the `lock*` reads take the cart row lock that serialises writes to one cart.
 */
export function createCartStore(opts: { anonymousTtlDays: number }) {
  const ttl = opts.anonymousTtlDays

  const one = async (q: Queryable, sql: string, params: unknown[]) =>
    (await q.query<CartRow>(sql, params)).rows.map(toHeader)[0]

  return {
    findCart: (q: Queryable, id: string) => one(q, `select ${CART} from carts where id = $1`, [id]),

    findUserCart: (q: Queryable, userId: string) =>
      one(q, `select ${CART} from carts where user_id = $1`, [userId]),

    findAnonymousCart: (q: Queryable, tokenHash: Buffer) =>
      one(q, `select ${CART} from carts where ${LIVE_ANONYMOUS}`, [tokenHash, ttl]),

    async lines(q: Queryable, cartId: string): Promise<StoredLine[]> {
      const { rows } = await q.query<LineRow>(
        'select * from cart_lines where cart_id = $1 order by added_at, product_id',
        [cartId],
      )
      return rows.map(toLine)
    },

    /** The user's cart, locked; created first when `create` is set and the user has none. */
    async lockUserCart(tx: Tx, userId: string, create: boolean): Promise<CartHeader | undefined> {
      if (create)
        await tx.query('insert into carts (user_id) values ($1) on conflict (user_id) do nothing', [userId])
      return one(tx, `select ${CART} from carts where user_id = $1 for update`, [userId])
    },

    lockAnonymousCart: (tx: Tx, tokenHash: Buffer) =>
      one(tx, `select ${CART} from carts where ${LIVE_ANONYMOUS} for update`, [tokenHash, ttl]),

    async createAnonymousCart(tx: Tx, tokenHash: Buffer): Promise<CartHeader> {
      return (await one(tx, `insert into carts (token_hash) values ($1) returning ${CART}`, [tokenHash]))!
    },

    async productIds(tx: Tx, cartId: string): Promise<Set<string>> {
      const { rows } = await tx.query<{ product_id: string }>(
        'select product_id from cart_lines where cart_id = $1',
        [cartId],
      )
      return new Set(rows.map((r) => r.product_id))
    },

    /** Adds to a line, summing with what is there, capped at max. */
    async addToLine(tx: Tx, cartId: string, productId: string, quantity: number, max: number) {
      await tx.query(
        `insert into cart_lines (cart_id, product_id, quantity) values ($1, $2, least($3::int, $4::int))
         on conflict (cart_id, product_id) do update set quantity = least(cart_lines.quantity + excluded.quantity, $4)`,
        [cartId, productId, quantity, max],
      )
    },

    /** Sets a line's quantity; false when the cart holds no such line. */
    async setLine(tx: Tx, cartId: string, productId: string, quantity: number): Promise<boolean> {
      const { rowCount } = await tx.query(
        'update cart_lines set quantity = $3 where cart_id = $1 and product_id = $2',
        [cartId, productId, quantity],
      )
      return (rowCount ?? 0) > 0
    },

    /** Replaces the given lines' quantities, inserting the missing ones with their original added_at. */
    async putLines(tx: Tx, cartId: string, lines: readonly StoredLine[]) {
      if (lines.length === 0) return
      await tx.query(
        `insert into cart_lines (cart_id, product_id, quantity, added_at)
         select $1, * from unnest($2::text[], $3::int[], $4::timestamptz[])
         on conflict (cart_id, product_id) do update set quantity = excluded.quantity`,
        [cartId, lines.map((l) => l.productId), lines.map((l) => l.quantity), lines.map((l) => l.addedAt)],
      )
    },

    async removeLine(tx: Tx, cartId: string, productId: string): Promise<boolean> {
      const { rowCount } = await tx.query('delete from cart_lines where cart_id = $1 and product_id = $2', [
        cartId,
        productId,
      ])
      return (rowCount ?? 0) > 0
    },

    /** Removes the lines of these products added at or before `before`; how many it removed. */
    async removeLinesAddedBefore(
      tx: Tx,
      cartId: string,
      productIds: readonly string[],
      before: string,
    ): Promise<number> {
      const { rowCount } = await tx.query(
        'delete from cart_lines where cart_id = $1 and product_id = any($2::text[]) and added_at <= $3',
        [cartId, productIds, before],
      )
      return rowCount ?? 0
    },

    async clearLines(tx: Tx, cartId: string): Promise<number> {
      const { rowCount } = await tx.query('delete from cart_lines where cart_id = $1', [cartId])
      return rowCount ?? 0
    },

    async touch(tx: Tx, cartId: string) {
      await tx.query('update carts set updated_at = now() where id = $1', [cartId])
    },

    async deleteCart(tx: Tx, cartId: string) {
      await tx.query('delete from carts where id = $1', [cartId])
    },

    /** Deletes up to `batch` expired anonymous carts (their lines go with them); how many it deleted. */
    async pruneAnonymous(tx: Tx, batch: number): Promise<number> {
      const { rowCount } = await tx.query(
        `delete from carts where id in (
           select id from carts where user_id is null and updated_at <= now() - $1 * interval '1 day'
            order by updated_at limit $2 for update skip locked)`,
        [ttl, batch],
      )
      return rowCount ?? 0
    },
  }
}
