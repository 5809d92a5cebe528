import type { Queryable, Tx } from '@microshop/chassis'
import type { Address } from '../domain/address.js'
import type { Role, User, UserStatus } from '../domain/user.js'

interface UserRow {
  id: string
  email: string
  name: string
  password_hash: string
  roles: Role[]
  status: UserStatus
  addresses: Address[]
  created_at: Date
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  roles: r.roles,
  status: r.status,
  createdAt: r.created_at.toISOString(),
  addresses: r.addresses,
})

export interface NewUser {
  id: string
  email: string
  name: string
  passwordHash: string
  roles: Role[]
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export type UserStore = typeof userStore

/** SQL for users; each method runs where it is told: reads anywhere, writes in a transaction. */
export const userStore = {
  /** The new user, or undefined when the email is taken (no error: the transaction stays usable). */
  async insert(tx: Tx, u: NewUser): Promise<User | undefined> {
    const { rows } = await tx.query<UserRow>(
      `insert into users (id, email, name, password_hash, roles) values ($1, $2, $3, $4, $5)
         on conflict (email) do nothing returning *`,
      [u.id, u.email, u.name, u.passwordHash, u.roles],
    )
    return rows[0] ? toUser(rows[0]) : undefined
  },

  /**
   * True, and the notice stamped, when the owner of `userId` may be told of a sign-up with their email now:
   * not told since `notBefore`. False otherwise, so concurrent attempts make one notice.
   */
  async claimDuplicateSignUpNotice(tx: Tx, userId: string, now: Date, notBefore: Date): Promise<boolean> {
    const { rowCount } = await tx.query(
      `update users set duplicate_sign_up_noticed_at = $2
         where id = $1 and (duplicate_sign_up_noticed_at is null or duplicate_sign_up_noticed_at < $3)`,
      [userId, now, notBefore],
    )
    return rowCount === 1
  },

  async get(q: Queryable, id: string): Promise<User | undefined> {
    if (!UUID.test(id)) return undefined
    const { rows } = await q.query<UserRow>('select * from users where id = $1', [id])
    return rows[0] ? toUser(rows[0]) : undefined
  },

  async getByEmail(q: Queryable, email: string): Promise<User | undefined> {
    const { rows } = await q.query<UserRow>('select * from users where email = $1', [email])
    return rows[0] ? toUser(rows[0]) : undefined
  },

  /** The user and the hash their password is checked against: for sign-in only. */
  async credentialsOf(
    q: Queryable,
    email: string,
  ): Promise<{ user: User; passwordHash: string } | undefined> {
    const { rows } = await q.query<UserRow>('select * from users where email = $1', [email])
    const row = rows[0]
    return row ? { user: toUser(row), passwordHash: row.password_hash } : undefined
  },

  /** Locks the user's row for the rest of the transaction. */
  async getForUpdate(tx: Tx, id: string): Promise<User | undefined> {
    if (!UUID.test(id)) return undefined
    const { rows } = await tx.query<UserRow>('select * from users where id = $1 for update', [id])
    return rows[0] ? toUser(rows[0]) : undefined
  },

  async updateProfile(tx: Tx, id: string, change: { name: string; addresses: Address[] }): Promise<User> {
    const { rows } = await tx.query<UserRow>(
      `update users set name = $2, addresses = $3::jsonb, updated_at = now() where id = $1 returning *`,
      [id, change.name, JSON.stringify(change.addresses)],
    )
    return toUser(rows[0]!)
  },
}
