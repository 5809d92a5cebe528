import { createHmac, randomBytes } from 'node:crypto'
import { ACCESS_TOKEN, type AppError } from '@microshop/chassis'
import { createTokenVerifier } from '@microshop/chassis/internal'
import { manualClock } from '@microshop/chassis/testing'
import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { rejectionOf } from '../../../test-support/grpc.js'
import { startTestIdentity, type TestIdentity } from '../../../test-support/identity-service.js'
import { createKeyWrap } from '../src/app/key-wrap.js'

const KEK = randomBytes(32)

const PASSWORD = 'correct-horse-battery-9'
let db: TestDatabase
let identity: TestIdentity
let token: string
let userId: string

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const partsOf = (jwt: string) => {
  const [header, payload, signature] = jwt.split('.') as [string, string, string]
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>,
    signature,
  }
}
const rejected = async (jwt: string, verifier = identity.verifier()) =>
  (await rejectionOf<AppError>(verifier.verify(jwt))).code

async function signedByStranger(kid: string) {
  const { privateKey } = await generateKeyPair('Ed25519')
  const { payload } = partsOf(token)
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', typ: ACCESS_TOKEN.type, kid })
    .sign(privateKey)
}

beforeAll(async () => {
  db = await createTestDatabase('identity_tokens')
  identity = await startTestIdentity(db.url, { IDENTITY_KEY_ENCRYPTION_KEY: KEK.toString('base64') })
  const email = 'verifier@example.com'
  userId = (await identity.client.call('register', { email, password: PASSWORD, name: 'Vera' })).user!.id
  token = (await identity.client.call('login', { email, password: PASSWORD })).tokens!.accessToken
})
afterAll(async () => {
  await identity?.stop()
  await db?.drop()
})

describe('access tokens against the chassis verifier', () => {
  it('when the JWKS is fetched, then it holds public Ed25519 keys only, each with kid, alg and use', async () => {
    const { keys } = await identity.jwks()
    expect(keys).toHaveLength(1)
    const key = keys[0]!
    expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' })
    expect(key.kid).toBe(partsOf(token).header.kid)
    expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x'])
  })

  it('when a genuine token is verified, then the principal is its user', async () => {
    expect(await identity.verifier().verify(token)).toMatchObject({ userId, roles: ['customer'] })
  })

  it('when the payload is tampered with, then the token is rejected', async () => {
    const { header, payload, signature } = partsOf(token)
    const forged = `${b64(header)}.${b64({ ...payload, roles: ['admin'] })}.${signature}`
    expect(await rejected(forged)).toBe('AUTH_TOKEN_INVALID')
    const otherUser = `${b64(header)}.${b64({ ...payload, sub: '00000000-0000-4000-8000-000000000000' })}.${signature}`
    expect(await rejected(otherUser)).toBe('AUTH_TOKEN_INVALID')
  })

  it('when alg is none, then the token is rejected', async () => {
    const { header, payload } = partsOf(token)
    for (const alg of ['none', 'None', 'NONE'])
      expect(await rejected(`${b64({ ...header, alg })}.${b64(payload)}.`), alg).toBe('AUTH_TOKEN_INVALID')
  })

  it('when the token is HS256-signed with the public key as the secret, then it is rejected', async () => {
    const { header, payload } = partsOf(token)
    const publicJwk = (await identity.jwks()).keys[0]!
    const secrets = [
      Buffer.from(publicJwk.x!, 'base64url'),
      Buffer.from(publicJwk.x!),
      Buffer.from(JSON.stringify(publicJwk)),
    ]
    for (const secret of secrets) {
      const signingInput = `${b64({ ...header, alg: 'HS256' })}.${b64(payload)}`
      const mac = createHmac('sha256', secret).update(signingInput).digest('base64url')
      expect(await rejected(`${signingInput}.${mac}`)).toBe('AUTH_TOKEN_INVALID')
    }
  })

  it('when a token is signed by an Ed25519 key identity never had, then it is rejected', async () => {
    const ourKid = partsOf(token).header.kid as string
    expect(await rejected(await signedByStranger(ourKid))).toBe('AUTH_TOKEN_INVALID')
    expect(await rejected(await signedByStranger('stranger-kid'))).toBe('AUTH_TOKEN_INVALID')
  })

  it('when the stranger also publishes its key, then a verifier fed by identity still rejects it', async () => {
    const { publicKey, privateKey } = await generateKeyPair('Ed25519')
    const strangerJwk = { ...(await exportJWK(publicKey)), kid: 'stranger', alg: 'EdDSA', use: 'sig' }
    const { payload } = partsOf(token)
    const forged = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'EdDSA', typ: ACCESS_TOKEN.type, kid: 'stranger' })
      .sign(privateKey)
    const trusting = createTokenVerifier({
      keys: async (): Promise<JSONWebKeySet> => ({ keys: [...(await identity.jwks()).keys, strangerJwk] }),
    })
    // the control: the same forged token passes a verifier that trusts the stranger's key
    expect((await trusting.verify(forged)).userId).toBe(userId)
    expect(await rejected(forged)).toBe('AUTH_TOKEN_INVALID')
  })

  it('when the typ is not at+jwt, then the token is rejected', async () => {
    const keyRow = await identity.service.db!.query<{ kid: string; private_key_wrapped: string }>(
      'select kid, private_key_wrapped from signing_keys where retired_at is null',
    )
    const { importJWK } = await import('jose')
    const { kid, private_key_wrapped: wrapped } = keyRow.rows[0]!
    const key = await importJWK(createKeyWrap(KEK).unwrap(kid, wrapped), 'EdDSA')
    const { header, payload } = partsOf(token)
    const sign = (typ: string) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', typ, kid: header.kid as string }).sign(key)
    // the control: our own key with the right typ is accepted
    expect((await identity.verifier().verify(await sign('at+jwt'))).userId).toBe(userId)
    expect(await rejected(await sign('JWT'))).toBe('AUTH_TOKEN_INVALID')
  })
})

describe('access tokens expire', () => {
  let shortDb: TestDatabase
  let short: TestIdentity
  const clock = manualClock()

  beforeAll(async () => {
    shortDb = await createTestDatabase('identity_short_access')
    short = await startTestIdentity(
      shortDb.url,
      { IDENTITY_ACCESS_TOKEN_TTL_SECONDS: '2' },
      { clock: clock.now },
    )
  })
  afterAll(async () => {
    await short?.stop()
    await shortDb?.drop()
  })

  it('when an access token outlives its TTL, then the verifier says it expired', async () => {
    const email = 'brief@example.com'
    await short.client.call('register', { email, password: PASSWORD, name: 'Brief' })
    const res = await short.client.call('login', { email, password: PASSWORD })
    expect(res.tokens?.expiresIn).toBe(2)
    const verifier = short.verifier()
    // the control: the same token was good while it was young
    expect((await verifier.verify(res.tokens!.accessToken)).email).toBe(email)
    clock.advance(2_000)
    expect(await rejected(res.tokens!.accessToken, verifier)).toBe('AUTH_TOKEN_EXPIRED')
  })
})
