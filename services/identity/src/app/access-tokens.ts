import { randomUUID } from 'node:crypto'
import { ACCESS_TOKEN } from '@microshop/chassis'
import { SignJWT } from 'jose'
import type { User } from '../domain/user.js'
import type { KeyRing } from './key-ring.js'

export type AccessTokens = ReturnType<typeof createAccessTokens>

/** Signs short-lived access tokens (EdDSA, `typ: at+jwt`) that every service verifies with the JWKS. */
export function createAccessTokens(deps: { keys: KeyRing; ttlSeconds: number; clock: () => Date }) {
  return {
    ttlSeconds: deps.ttlSeconds,
    async issue(user: Pick<User, 'id' | 'email' | 'roles'>): Promise<string> {
      const { kid, key } = await deps.keys.signingKey()
      const issuedAt = Math.floor(deps.clock().getTime() / 1000)
      return new SignJWT({ roles: user.roles, email: user.email })
        .setProtectedHeader({ alg: ACCESS_TOKEN.algorithm, typ: ACCESS_TOKEN.type, kid })
        .setIssuer(ACCESS_TOKEN.issuer)
        .setAudience(ACCESS_TOKEN.audience)
        .setSubject(user.id)
        .setJti(randomUUID())
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + deps.ttlSeconds)
        .sign(key)
    },
  }
}
