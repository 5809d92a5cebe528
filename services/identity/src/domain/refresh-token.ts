import type { UserStatus } from './user.js'

/** A stored refresh token, with what the decision needs of its family and its user. */
export interface StoredRefreshToken {
  id: string
  familyId: string
  userId: string
  expiresAt: Date
  usedAt: Date | null
  familyRevokedAt: Date | null
  userStatus: UserStatus
}

export type RefreshDecision =
  | { kind: 'rotate' }
  /** An already-used token came back: someone holds a copy, so the whole family goes. */
  | { kind: 'reused' }
  | { kind: 'blocked' }
  | { kind: 'invalid'; reason: 'unknown' | 'revoked' | 'expired' }

/** What presenting a refresh token at `now` leads to; reuse is checked first, as evidence of theft. */
export function decideRefresh(token: StoredRefreshToken | undefined, now: Date): RefreshDecision {
  if (!token) return { kind: 'invalid', reason: 'unknown' }
  if (token.usedAt) return { kind: 'reused' }
  if (token.familyRevokedAt) return { kind: 'invalid', reason: 'revoked' }
  if (token.expiresAt.getTime() <= now.getTime()) return { kind: 'invalid', reason: 'expired' }
  if (token.userStatus !== 'active') return { kind: 'blocked' }
  return { kind: 'rotate' }
}
