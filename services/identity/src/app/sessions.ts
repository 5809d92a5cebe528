import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Db, Tx } from '@microshop/chassis'
import { emailProblem, normaliseEmail } from '../domain/email.js'
import { IdentityErrors } from '../domain/errors.js'
import { afterFailure, type LockoutPolicy, lockedUntil } from '../domain/login-lockout.js'
import { MAX_PASSWORD_LENGTH } from '../domain/password-policy.js'
import { decideRefresh } from '../domain/refresh-token.js'
import type { User } from '../domain/user.js'
import type { LoginFailureStore } from '../store/login-failure-store.js'
import type { RefreshTokenStore } from '../store/refresh-token-store.js'
import type { UserStore } from '../store/user-store.js'
import type { AccessTokens } from './access-tokens.js'
import type { PasswordHasher } from './passwords.js'

export interface Tokens {
  accessToken: string
  refreshToken: string
  expiresIn: number
  tokenType: 'Bearer'
}

// 32 random bytes in base64url are 43 characters; anything far longer is not ours
const MAX_REFRESH_TOKEN_LENGTH = 100

const sha256 = (token: string) => createHash('sha256').update(token).digest()

export type Sessions = ReturnType<typeof createSessions>

/** Sign-in, refresh rotation with reuse detection, and sign-out. */
export function createSessions(deps: {
  db: Db
  users: UserStore
  refreshTokens: RefreshTokenStore
  failures: LoginFailureStore
  hasher: PasswordHasher
  accessTokens: AccessTokens
  lockout: LockoutPolicy
  refreshTtlMs: number
  clock: () => Date
}) {
  const { db, users, refreshTokens, failures, hasher, accessTokens, clock } = deps

  /** A new refresh token in `familyId`; only its hash is stored. */
  const addRefreshToken = async (tx: Tx, familyId: string, now: Date) => {
    const token = randomBytes(32).toString('base64url')
    await refreshTokens.insert(tx, {
      id: randomUUID(),
      familyId,
      hash: sha256(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + deps.refreshTtlMs),
    })
    return token
  }

  const tokensFor = async (user: User, refreshToken: string): Promise<Tokens> => ({
    accessToken: await accessTokens.issue(user),
    refreshToken,
    expiresIn: accessTokens.ttlSeconds,
    tokenType: 'Bearer',
  })

  return {
    /** Wrong email and wrong password fail alike, in about the same time; the count locks the email. */
    async login(input: { email: string; password: string }): Promise<{ tokens: Tokens; user: User }> {
      const email = normaliseEmail(input.email)
      const until = lockedUntil(await failures.get(db, email), clock())
      if (until) throw IdentityErrors.loginLocked(until, clock())
      const password = input.password.slice(0, MAX_PASSWORD_LENGTH * 4)
      const found = emailProblem(email) ? undefined : await users.credentialsOf(db, email)
      const ok = found
        ? await hasher.verify(found.passwordHash, password)
        : await hasher.verifyDecoy(password)
      if (!found || !ok) {
        if (!emailProblem(email))
          await db.tx((tx) => failures.record(tx, email, (s) => afterFailure(s, clock(), deps.lockout)))
        throw IdentityErrors.invalidCredentials()
      }
      await db.tx((tx) => failures.clear(tx, email))
      if (found.user.status !== 'active') throw IdentityErrors.userBlocked()
      const now = clock()
      const refreshToken = await db.tx(async (tx) => {
        const familyId = randomUUID()
        await refreshTokens.startFamily(tx, { id: familyId, userId: found.user.id, createdAt: now })
        return addRefreshToken(tx, familyId, now)
      })
      return { tokens: await tokensFor(found.user, refreshToken), user: found.user }
    },

    /** Trades a refresh token for a new pair; the old one is spent, and spending it twice ends the family. */
    async refresh(token: string): Promise<Tokens> {
      if (token.length === 0 || token.length > MAX_REFRESH_TOKEN_LENGTH) throw IdentityErrors.refreshInvalid()
      const now = clock()
      const outcome = await db.tx(async (tx) => {
        const stored = await refreshTokens.findForUpdate(tx, sha256(token))
        const decision = decideRefresh(stored, now)
        if (decision.kind === 'rotate') {
          await refreshTokens.markUsed(tx, stored!.id, now)
          return { decision, userId: stored!.userId, next: await addRefreshToken(tx, stored!.familyId, now) }
        }
        // committed before the error is answered: a thrown error would roll the revocation back
        if (decision.kind === 'reused' || decision.kind === 'blocked')
          await refreshTokens.revokeFamily(tx, stored!.familyId, decision.kind, now)
        return { decision }
      })
      const { decision } = outcome
      if (decision.kind === 'reused') throw IdentityErrors.refreshReused()
      if (decision.kind === 'blocked') throw IdentityErrors.userBlocked()
      if (decision.kind === 'invalid' || !outcome.next) throw IdentityErrors.refreshInvalid()
      const user = await users.get(db, outcome.userId)
      if (!user) throw IdentityErrors.refreshInvalid()
      return tokensFor(user, outcome.next)
    },

    /** Ends the sign-in the token belongs to; an unknown or already revoked token is fine too. */
    async logout(token: string): Promise<void> {
      if (token.length === 0 || token.length > MAX_REFRESH_TOKEN_LENGTH) return
      await db.tx((tx) => refreshTokens.revokeFamilyOf(tx, sha256(token), 'logout', clock()))
    },
  }
}
