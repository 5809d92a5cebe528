import type { Db, Queryable } from '@microshop/chassis'
import type { SigningKey } from '../domain/signing-keys.js'

interface KeyRow {
  kid: string
  public_jwk: Record<string, unknown>
  private_jwk: Record<string, unknown>
  created_at: Date
  retired_at: Date | null
}

/** A signing key with its private half: stays inside the service. */
export interface StoredSigningKey extends SigningKey {
  privateJwk: Record<string, unknown>
}

const toKey = (r: KeyRow): StoredSigningKey => ({
  kid: r.kid,
  publicJwk: r.public_jwk,
  privateJwk: r.private_jwk,
  createdAt: r.created_at,
  retiredAt: r.retired_at,
})

// replicas creating or rotating keys take turns on this lock
const KEYS_LOCK_ID = 7_305_417_101

export type SigningKeyStore = ReturnType<typeof createSigningKeyStore>

export function createSigningKeyStore(db: Db) {
  const list = async (tx: Queryable = db): Promise<StoredSigningKey[]> => {
    const { rows } = await tx.query<KeyRow>('select * from signing_keys order by created_at desc, kid')
    return rows.map(toKey)
  }

  return {
    /** Every key, newest first. */
    list,

    async active(): Promise<StoredSigningKey | undefined> {
      const { rows } = await db.query<KeyRow>('select * from signing_keys where retired_at is null')
      return rows[0] ? toKey(rows[0]) : undefined
    },

    /** Runs fn in a transaction that holds the key lock, with the keys as they are under it. */
    withLock<T>(fn: (keys: StoredSigningKey[], tx: Queryable) => Promise<T>): Promise<T> {
      return db.tx(async (tx) => {
        await tx.query('select pg_advisory_xact_lock($1)', [KEYS_LOCK_ID])
        return fn(await list(tx), tx)
      })
    },

    /** Retires the active key and makes `key` the active one, in the caller's transaction. */
    async rotateTo(key: StoredSigningKey, tx: Queryable) {
      await tx.query('update signing_keys set retired_at = $1 where retired_at is null', [key.createdAt])
      await tx.query(
        `insert into signing_keys (kid, public_jwk, private_jwk, created_at) values ($1, $2, $3, $4)`,
        [key.kid, key.publicJwk, key.privateJwk, key.createdAt],
      )
    },

    async remove(kids: string[], tx: Queryable = db) {
      await tx.query('delete from signing_keys where kid = any($1::text[])', [kids])
    },
  }
}
