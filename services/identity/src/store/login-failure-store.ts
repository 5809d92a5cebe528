import type { Queryable, Tx } from '@microshop/chassis'
import type { LoginFailures } from '../domain/login-lockout.js'

interface FailureRow {
  failures: number
  window_started_at: Date
  locked_until: Date | null
}

const toFailures = (r: FailureRow): LoginFailures => ({
  failures: r.failures,
  windowStartedAt: r.window_started_at,
  lockedUntil: r.locked_until,
})

export type LoginFailureStore = typeof loginFailureStore

/** Failed sign-ins per email, in the database so every replica counts the same failures. */
export const loginFailureStore = {
  async get(q: Queryable, email: string): Promise<LoginFailures | undefined> {
    const { rows } = await q.query<FailureRow>('select * from login_failures where email = $1', [email])
    return rows[0] ? toFailures(rows[0]) : undefined
  },

  /** Applies `next` to the current count under a row lock, so concurrent failures all count. */
  async record(tx: Tx, email: string, next: (current: LoginFailures | undefined) => LoginFailures) {
    {
      // an empty count first: a lock needs a row, even for the first failure of two racing ones
      await tx.query(
        `insert into login_failures (email, failures, window_started_at) values ($1, 0, now())
           on conflict (email) do nothing`,
        [email],
      )
      const { rows } = await tx.query<FailureRow>(
        'select * from login_failures where email = $1 for update',
        [email],
      )
      const current = rows[0]!.failures === 0 && !rows[0]!.locked_until ? undefined : toFailures(rows[0]!)
      const state = next(current)
      await tx.query(
        'update login_failures set failures = $2, window_started_at = $3, locked_until = $4 where email = $1',
        [email, state.failures, state.windowStartedAt, state.lockedUntil],
      )
    }
  },

  async clear(tx: Tx, email: string) {
    await tx.query('delete from login_failures where email = $1', [email])
  },

  /** Forgets counts whose window and lock both ended before `before`. */
  async prune(tx: Tx, before: Date): Promise<number> {
    const { rowCount } = await tx.query(
      `delete from login_failures
          where window_started_at < $1 and (locked_until is null or locked_until < $1)`,
      [before],
    )
    return rowCount ?? 0
  },
}
