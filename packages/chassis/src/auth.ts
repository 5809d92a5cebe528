import { setTimeout as delay } from 'node:timers/promises'
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  errors as joseErrors,
  jwtVerify,
} from 'jose'
import { AppError } from './errors.js'
import type { Logger } from './logger.js'

/** Who is calling, as proven by a verified access token. */
export interface Principal {
  userId: string
  roles: string[]
  email: string | undefined
  /** The raw access token, forwarded to the services this call reaches. */
  token: string
  /** When the token stops being valid (its `exp`): what it opened must not outlive it. */
  expiresAt: Date
}

export interface TokenVerifier {
  /** The principal of a valid access token; an `unauthenticated` AppError otherwise. */
  verify(token: string): Promise<Principal>
  /**
   * Fetches the key set again, so a key identity removed stops verifying; `unused` when no token was checked
   * yet (nothing cached to renew). A failed fetch keeps the keys held and rejects.
   */
  refreshKeys(): Promise<'changed' | 'unchanged' | 'unused'>
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

// an unknown kid may be a freshly rotated key; fetch again, but not more often than this
const REFETCH_SPACING_MS = 1_000
// kids found missing, remembered so their tokens are refused at once; past this many, forgotten
const MISSING_KIDS_KEPT = 1_000
// tokens verified, kept by their whole text (the signature with it); past this many, the oldest go
const VERIFIED_KEPT = 10_000

/**
 * Verifies EdDSA access tokens against the identity service's key set, cached, fetched again when a token
 * names a key the cache does not hold, and whenever `refreshKeys` runs (the chassis does on a schedule). Only
 * EdDSA is accepted: no `none`, no HMAC.
 */
export function createTokenVerifier(opts: {
  keys: () => Promise<JSONWebKeySet>
  log?: Logger
  /** The time tokens are checked at (expiry, not-before); the real time by default. */
  clock?: () => Date
}): TokenVerifier {
  let keySet: ReturnType<typeof createLocalJWKSet> | undefined
  let kids = ''
  let inflight: { done: Promise<void>; onDemand: boolean } | undefined
  // fetches for unknown kids are spaced (in real time): the next one waits its turn, it is not refused, so a
  // new kid is accepted even right after a removed one's token asked for a fetch
  let lastDemandAt = Number.NEGATIVE_INFINITY
  let nextDemand: Promise<number> | undefined
  const missingKids = new Map<string, number>()
  // A caller sends the same token with every request for as long as it lives: its signature is checked
  // once (an EdDSA verify and the claims, the most of a verification's cost), then it is known until it
  // expires or the key set changes, whichever comes first
  const verified = new Map<string, Principal>()
  // changes with the key set: a token verified against the set before is not kept after
  let generation = 0
  const now = () => opts.clock?.() ?? new Date()

  const fetchKeys = (onDemand: boolean) => {
    const done = (async () => {
      const jwks = await opts.keys()
      keySet = createLocalJWKSet(jwks)
      const fetched = jwks.keys
        .map((k) => k.kid ?? '')
        .sort()
        .join(' ')
      // a key gone takes its tokens with it: verified again, they are refused
      if (fetched !== kids) {
        verified.clear()
        generation++
      }
      kids = fetched
    })().finally(() => {
      inflight = undefined
    })
    inflight = { done, onDemand }
    return done
  }

  /** A fetch for a token's sake, in the next free slot; resolves with when it started (real time). */
  const fetchOnDemand = () => {
    nextDemand ??= (async () => {
      const wait = lastDemandAt + REFETCH_SPACING_MS - performance.now()
      if (wait > 0) await delay(wait)
      // a scheduled fetch under way may have left before the key the token names was made
      if (inflight && !inflight.onDemand) await inflight.done.catch(() => undefined)
      lastDemandAt = performance.now()
      await (inflight?.done ?? fetchKeys(true))
      return lastDemandAt
    })().finally(() => {
      nextDemand = undefined
    })
    return nextDemand
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

  /** Verifies again after a fetch, unless a fetch that started less than the spacing ago lacked this kid too. */
  const verifyAfterFetch = async (token: string, err: unknown) => {
    const kid = String(decodeProtectedHeader(token).kid ?? '')
    const missingSince = missingKids.get(kid)
    if (missingSince !== undefined && performance.now() - missingSince < REFETCH_SPACING_MS) throw err
    const fetchedAt = await fetchOnDemand()
    try {
      return await verifyWith(token)
    } catch (again) {
      if (again instanceof joseErrors.JWKSNoMatchingKey) {
        if (missingKids.size >= MISSING_KIDS_KEPT) missingKids.clear()
        missingKids.set(kid, fetchedAt)
      }
      throw again
    }
  }

  return {
    async verify(token) {
      const known = verified.get(token)
      if (known) {
        // as jose has it: valid while the current second is before `exp`
        if (Math.floor(now().getTime() / 1000) < known.expiresAt.getTime() / 1000) return known
        verified.delete(token)
      }
      const verifiedIn = generation
      if (!keySet) await fetchOnDemand()
      let result: Awaited<ReturnType<typeof verifyWith>>
      try {
        try {
          result = await verifyWith(token)
        } catch (err) {
          if (!(err instanceof joseErrors.JWKSNoMatchingKey)) throw err
          result = await verifyAfterFetch(token, err)
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
      // shared by every request that brings the token: frozen, so that none can change it for the others
      const principal: Principal = Object.freeze({
        userId: payload.sub!,
        roles: Object.freeze(roles) as string[],
        email: typeof payload.email === 'string' ? payload.email : undefined,
        token,
        expiresAt: new Date(payload.exp! * 1000),
      })
      if (verifiedIn === generation) {
        if (verified.size >= VERIFIED_KEPT) verified.delete(verified.keys().next().value as string)
        verified.set(token, principal)
      }
      return principal
    },

    async refreshKeys() {
      if (!keySet) return 'unused'
      const before = kids
      await (inflight?.done ?? fetchKeys(false))
      return kids === before ? 'unchanged' : 'changed'
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
