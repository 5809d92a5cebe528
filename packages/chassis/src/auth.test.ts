import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWK,
  SignJWT,
} from 'jose'
import { describe, expect, it } from 'vitest'
import { ACCESS_TOKEN, createTokenVerifier } from './auth.js'
import { AppError } from './errors.js'
import { manualClock } from './testing.js'

async function signingKey() {
  const { publicKey, privateKey } = await generateKeyPair('Ed25519')
  const jwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(jwk)
  const sign = (now: Date, sub = 'user-1') =>
    new SignJWT({ roles: ['customer'] })
      .setProtectedHeader({ alg: ACCESS_TOKEN.algorithm, typ: ACCESS_TOKEN.type, kid })
      .setSubject(sub)
      .setIssuer(ACCESS_TOKEN.issuer)
      .setAudience(ACCESS_TOKEN.audience)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(now.getTime() / 1000) + 900)
      .sign(privateKey)
  return { kid, publicJwk: { ...jwk, kid, alg: ACCESS_TOKEN.algorithm, use: 'sig' } as JWK, sign }
}

/** A key source as identity's GetJwks is: whatever keys it publishes now, each fetch counted. */
function keySource(keys: JWK[]) {
  const source = {
    published: keys,
    fetches: 0,
    failing: false,
    keys: async (): Promise<JSONWebKeySet> => {
      source.fetches++
      if (source.failing) throw new Error('identity unreachable')
      return { keys: [...source.published] }
    },
  }
  return source
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (err: unknown) => (err instanceof AppError ? err.code : String(err)),
  )

describe('token verifier key set', () => {
  it('when identity removes a key, then after the next refresh its tokens are refused, and a new key is taken on first sight', async () => {
    const clock = manualClock()
    const [old, next] = [await signingKey(), await signingKey()]
    const source = keySource([old.publicJwk])
    const verifier = createTokenVerifier({ keys: source.keys, clock: clock.now })
    const oldToken = await old.sign(clock.now())
    expect((await verifier.verify(oldToken)).userId).toBe('user-1')

    source.published = [next.publicJwk]
    // the held set still has it until something fetches again
    expect(await codeOf(verifier.verify(oldToken))).toBe('accepted')
    expect(await verifier.refreshKeys()).toBe('changed')
    expect(await codeOf(verifier.verify(oldToken))).toBe('AUTH_TOKEN_INVALID')
    // a scheduled refresh just before does not hold back the fetch an unknown kid asks for
    expect(await codeOf(verifier.verify(await next.sign(clock.now())))).toBe('accepted')
    expect(await verifier.refreshKeys()).toBe('unchanged')
  })

  it('when a token that verified before reaches its expiry, then it is refused as expired, and a principal is the same for every request that brings it', async () => {
    const clock = manualClock()
    const key = await signingKey()
    const verifier = createTokenVerifier({ keys: keySource([key.publicJwk]).keys, clock: clock.now })
    const token = await key.sign(clock.now())
    const first = await verifier.verify(token)
    const again = await verifier.verify(token)
    expect(again).toEqual(first)
    // shared, so nobody may change it for the others
    expect(Object.isFrozen(again) && Object.isFrozen(again.roles)).toBe(true)
    clock.advance(899_000)
    expect(await codeOf(verifier.verify(token))).toBe('accepted')
    clock.advance(1_000) // the second of `exp`: no longer valid, as jose has it
    expect(await codeOf(verifier.verify(token))).toBe('AUTH_TOKEN_EXPIRED')
  })

  it('when tokens name unknown kids over and over, then the key set is fetched at most once a second, and a kid found missing is refused at once', async () => {
    const known = await signingKey()
    const source = keySource([known.publicJwk])
    const verifier = createTokenVerifier({ keys: source.keys })
    await verifier.verify(await known.sign(new Date()))
    const forged = await Promise.all(Array.from({ length: 20 }, () => signingKey()))
    const fetchesBefore = source.fetches
    // they wait together for the next fetch, a second after the first one
    const started = performance.now()
    const codes = await Promise.all(
      forged.map(async (k) => codeOf(verifier.verify(await k.sign(new Date())))),
    )
    expect(codes).toEqual(forged.map(() => 'AUTH_TOKEN_INVALID'))
    expect(source.fetches).toBe(fetchesBefore + 1)
    expect(performance.now() - started).toBeGreaterThanOrEqual(900)
    // a kid the last fetch lacked is refused without asking again
    expect(await codeOf(verifier.verify(await forged[0]!.sign(new Date())))).toBe('AUTH_TOKEN_INVALID')
    expect(source.fetches).toBe(fetchesBefore + 1)
  })

  it('when identity cannot be reached at a refresh, then the keys held keep verifying', async () => {
    const key = await signingKey()
    const source = keySource([key.publicJwk])
    const verifier = createTokenVerifier({ keys: source.keys })
    expect(await verifier.refreshKeys()).toBe('unused')
    const token = await key.sign(new Date())
    await verifier.verify(token)
    source.failing = true
    await expect(verifier.refreshKeys()).rejects.toThrow('identity unreachable')
    expect(await codeOf(verifier.verify(token))).toBe('accepted')
  })

  it('when a token is verified, then the principal says when it expires', async () => {
    const key = await signingKey()
    const verifier = createTokenVerifier({ keys: keySource([key.publicJwk]).keys })
    const now = new Date()
    const principal = await verifier.verify(await key.sign(now))
    expect(principal.expiresAt.getTime()).toBe((Math.floor(now.getTime() / 1000) + 900) * 1000)
  })
})
