import type { Tx } from '@microshop/chassis'
import type { StoredRefreshToken } from '../domain/refresh-token.js'
import type { UserStatus } from '../domain/user.js'

interface TokenRow {
  id: string
  family_id: string
  user_id: string
  expires_at: Date
  used_at: Date | null
  family_revoked_at: Date | null
  user_status: UserStatus
}

export interface NewRefreshToken {
  id: string
  familyId: string
  hash: Buffer
  createdAt: Date
  expiresAt: Date
}

export type RefreshTokenStore = typeof refreshTokenStore

/** SQL for refresh tokens and their families; writes in a transaction. */
export const refreshTokenStore = {
  async startFamily(tx: Tx, family: { id: string; userId: string; createdAt: Date }) {
    await tx.query('insert into refresh_families (id, user_id, created_at) values ($1, $2, $3)', [
      family.id,
      family.userId,
      family.createdAt,
    ])
  },

  async insert(tx: Tx, t: NewRefreshToken) {
    await tx.query(
      `insert into refresh_tokens (id, family_id, token_hash, created_at, expires_at)
         values ($1, $2, $3, $4, $5)`,
      [t.id, t.familyId, t.hash, t.createdAt, t.expiresAt],
    )
  },

  /** The token with its family and user state, locked so two refreshes of one token take turns. */
  async findForUpdate(tx: Tx, hash: Buffer): Promise<StoredRefreshToken | undefined> {
    const { rows } = await tx.query<TokenRow>(
      `select t.id, t.family_id, f.user_id, t.expires_at, t.used_at,
                f.revoked_at as family_revoked_at, u.status as user_status
           from refresh_tokens t
           join refresh_families f on f.id = t.family_id
           join users u on u.id = f.user_id
          where t.token_hash = $1
          for update of t`,
      [hash],
    )
    const r = rows[0]
    return r
      ? {
          id: r.id,
          familyId: r.family_id,
          userId: r.user_id,
          expiresAt: r.expires_at,
          usedAt: r.used_at,
          familyRevokedAt: r.family_revoked_at,
          userStatus: r.user_status,
        }
      : undefined
  },

  async markUsed(tx: Tx, id: string, at: Date) {
    await tx.query('update refresh_tokens set used_at = $2 where id = $1', [id, at])
  },

  /** Revokes the family of the token with this hash; nothing happens for an unknown token. */
  async revokeFamilyOf(tx: Tx, hash: Buffer, reason: string, at: Date) {
    await tx.query(
      `update refresh_families set revoked_at = $3, revoked_reason = $2
          where id = (select family_id from refresh_tokens where token_hash = $1) and revoked_at is null`,
      [hash, reason, at],
    )
  },

  async revokeFamily(tx: Tx, familyId: string, reason: string, at: Date) {
    await tx.query(
      `update refresh_families set revoked_at = $3, revoked_reason = $2 where id = $1 and revoked_at is null`,
      [familyId, reason, at],
    )
  },

  /** Drops tokens expired before `before`, and families left without tokens. */
  async prune(tx: Tx, before: Date): Promise<number> {
    const { rowCount } = await tx.query('delete from refresh_tokens where expires_at < $1', [before])
    await tx.query(
      `delete from refresh_families f
          where not exists (select 1 from refresh_tokens t where t.family_id = f.id)`,
    )
    return rowCount ?? 0
  },
}
