import type { Queryable, Tx } from '@microshop/chassis'
import type { Assessment, Decision } from '../domain/rules.js'

interface ScoreRow {
  score: number
  decision: Decision
  reasons: string[]
}

export interface NewScore extends Assessment {
  orderId: string
  userId: string
  amount: number
  currency: string
}

export type ScoreStore = typeof scoreStore

/** SQL for the scores, which are also the velocity counters (orders per user over time). */
export const scoreStore = {
  async find(q: Queryable, orderId: string): Promise<Assessment | undefined> {
    const { rows } = await q.query<ScoreRow>(
      'select score, decision, reasons from scores where order_id = $1',
      [orderId],
    )
    return rows[0]
  },

  /** Orders of the user scored within the last `windowMs`. */
  async ordersSince(q: Queryable, userId: string, windowMs: number): Promise<number> {
    const { rows } = await q.query<{ n: number }>(
      `select count(*) as n from scores where user_id = $1 and scored_at > now() - $2 * interval '1 millisecond'`,
      [userId, windowMs],
    )
    return rows[0]?.n ?? 0
  },

  /** Locks the user's velocity counter until the transaction ends: one of their orders is scored at a time. */
  async lockUser(tx: Tx, userId: string) {
    await tx.query(`select pg_advisory_xact_lock(hashtextextended('fraud-user:' || $1, 0))`, [userId])
  },

  async insert(tx: Tx, s: NewScore) {
    await tx.query(
      `insert into scores (order_id, user_id, amount, currency, score, decision, reasons)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [s.orderId, s.userId, s.amount, s.currency, s.score, s.decision, s.reasons],
    )
  },
}
