import { advisoryLocks, type Queryable, type Tx } from '@microshop/chassis'
import type { SigningKey } from '../domain/signing-keys.js'

interface KeyRow {
  kid: string
  public_jwk: Record<string, unknown>
  private_jwk: Record<string, unknown> | null
  private_key_wrapped: string | null
  created_at: Date
  retired_at: Date | null
}

/** A signing key with its private half as stored: wrapped, or in the clear in a row of an earlier version. */
export interface StoredSigningKey extends SigningKey {
  privateKey: { wrapped: string } | { unwrapped: Record<string, unknown> }
}

const toKey = (r: KeyRow): StoredSigningKey => ({
  kid: r.kid,
  publicJwk: r.public_jwk,
  privateKey:
    r.private_key_wrapped !== null ? { wrapped: r.private_key_wrapped } : { unwrapped: r.private_jwk ?? {} },
  createdAt: r.created_at,
  retiredAt: r.retired_at,
})

export type SigningKeyStore = typeof signingKeyStore

/** SQL for the signing keys; writes in a transaction. */
export const signingKeyStore = {
  /** Every key, newest first. */
  async list(q: Queryable): Promise<StoredSigningKey[]> {
    const { rows } = await q.query<KeyRow>('select * from signing_keys order by created_at desc, kid')
    return rows.map(toKey)
  },

  async active(q: Queryable): Promise<StoredSigningKey | undefined> {
    const { rows } = await q.query<KeyRow>('select * from signing_keys where retired_at is null')
    return rows[0] ? toKey(rows[0]) : undefined
  },

  /** Takes the key lock until tx ends: replicas creating or rotating keys take turns. */
  async lock(tx: Tx) {
    await tx.query('select pg_advisory_xact_lock($1)', [advisoryLocks.identitySigningKeys])
  },

  /** Retires the active key and makes `key` (its private half wrapped) the active one. */
  async rotateTo(tx: Tx, key: SigningKey & { wrappedPrivateKey: string }) {
    await tx.query('update signing_keys set retired_at = $1 where retired_at is null', [key.createdAt])
    await tx.query(
      `insert into signing_keys (kid, public_jwk, private_key_wrapped, created_at) values ($1, $2, $3, $4)`,
      [key.kid, key.publicJwk, key.wrappedPrivateKey, key.createdAt],
    )
  },

  /** Replaces a key's private half in the clear with its wrapped form. */
  async wrap(tx: Tx, kid: string, wrappedPrivateKey: string) {
    await tx.query('update signing_keys set private_key_wrapped = $2, private_jwk = null where kid = $1', [
      kid,
      wrappedPrivateKey,
    ])
  },

  async remove(tx: Tx, kids: string[]) {
    await tx.query('delete from signing_keys where kid = any($1::text[])', [kids])
  },
}
