import { createLocalJWKSet, type JSONWebKeySet, errors as joseErrors, jwtVerify } from 'jose'
import { AppError } from './errors.js'
import type { Logger } from './logger.js'

/** Who is calling, as proven by a verified access token. */
export interface Principal {
  userId: string
  roles: string[]
  email: string | undefined
  /** The raw access token, forwarded to the services this call reaches. */
  token: string
}

export interface TokenVerifier {
  /** The principal of a valid access token; an `unauthenticated` AppError otherwise. */
  verify(token: string): Promise<Principal>
}

export const ACCESS_TOKEN = {
  issuer: 'microshop-identity',
  audience: 'microshop',
  algorithm: 'EdDSA',
  type: 'at+jwt',
} as const

export const AuthErrors = {
  missing: () => new AppError('unauthenticated', 'AUTH_REQUIRED', 'sign in first: no access token was sent'),
  expired: () =>
    new AppError('unauthenticated', 'AUTH_TOKEN_EXPIRED', 'the access token has expired; refresh it'),
  invalid: () => new AppError('unauthenticated', 'AUTH_TOKEN_INVALID', 'the access token is not valid'),
  forbidden: (role: string) =>
    new AppError('permission_denied', 'AUTH_FORBIDDEN', `this needs the ${role} role`),
}

// an unknown kid may be a freshly rotated key; refetch, but not more often than this
const REFETCH_COOLDOWN_MS = 1_000

/**
 * Verifies EdDSA access tokens against the identity service's key set, cached and refetched
 * when a token names a key the cache does not hold. Only EdDSA is accepted: no `none`, no HMAC.
 */
export function createTokenVerifier(opts: {
  keys: () => Promise<JSONWebKeySet>
  log?: Logger
  /** The time tokens are checked at (expiry, not-before); the real time by default. */
  clock?: () => Date
}): TokenVerifier {
  const now = () => (opts.clock ? opts.clock().getTime() : Date.now())
  let keySet: ReturnType<typeof createLocalJWKSet> | undefined
  let fetchedAt = 0
  let inflight: Promise<void> | undefined

  const refresh = () => {
    inflight ??= opts
      .keys()
      .then((jwks) => {
        keySet = createLocalJWKSet(jwks)
        fetchedAt = now()
      })
      .finally(() => {
        inflight = undefined
      })
    return inflight
  }

  const verifyWith = (token: string) =>
    jwtVerify(token, keySet!, {
      issuer: ACCESS_TOKEN.issuer,
      audience: ACCESS_TOKEN.audience,
      algorithms: [ACCESS_TOKEN.algorithm],
      typ: ACCESS_TOKEN.type,
      requiredClaims: ['sub', 'exp', 'iat'],
      ...(opts.clock ? { currentDate: opts.clock() } : {}),
    })

  return {
    async verify(token) {
      if (!keySet) await refresh()
      let result: Awaited<ReturnType<typeof verifyWith>>
      try {
        try {
          result = await verifyWith(token)
        } catch (err) {
          if (!(err instanceof joseErrors.JWKSNoMatchingKey) || now() - fetchedAt < REFETCH_COOLDOWN_MS)
            throw err
          await refresh()
          result = await verifyWith(token)
        }
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) throw AuthErrors.expired()
        if (err instanceof AppError) throw err
        opts.log?.debug({ reason: (err as Error).message }, 'access token rejected')
        throw AuthErrors.invalid()
      }
      const { payload } = result
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((r): r is string => typeof r === 'string')
        : []
      return {
        userId: payload.sub!,
        roles,
        email: typeof payload.email === 'string' ? payload.email : undefined,
        token,
      }
    },
  }
}

/** The token of an `authorization: Bearer …` value, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null
  return match?.[1]
}

export function requireRole(principal: Principal | undefined, role: string): Principal {
  if (!principal) throw AuthErrors.missing()
  if (!principal.roles.includes(role)) throw AuthErrors.forbidden(role)
  return principal
}
