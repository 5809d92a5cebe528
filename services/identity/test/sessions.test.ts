import type { AppError } from '@microshop/chassis'
import { manualClock } from '@microshop/chassis/testing'
import { UserStatus } from '@microshop/contracts/identity/v1/identity'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { rejectionOf } from '../../../test-support/grpc.js'
import { startTestIdentity, type TestIdentity } from '../../../test-support/identity-service.js'

const PASSWORD = 'correct-horse-battery-9'
let db: TestDatabase
let identity: TestIdentity
let seq = 0

const newEmail = () => `shopper${++seq}.${Date.now()}@example.com`

async function registered(email = newEmail(), password = PASSWORD) {
  const { user } = await identity.client.call('register', { email, password, name: 'Ada Lovelace' })
  return { user: user!, email, password }
}

const login = (email: string, password = PASSWORD) => identity.client.call('login', { email, password })
const refresh = (refreshToken: string) => identity.client.call('refresh', { refreshToken })
const codeOf = async (promise: Promise<unknown>) => (await rejectionOf<AppError>(promise)).code

beforeAll(async () => {
  db = await createTestDatabase('identity_sessions')
  identity = await startTestIdentity(db.url)
})
afterAll(async () => {
  await identity?.stop()
  await db?.drop()
})

describe('register', () => {
  it('when a new email registers, then a customer is created with the email normalised', async () => {
    const email = newEmail()
    const { user } = await registered(`  ${email.toUpperCase()} `)
    expect(user).toMatchObject({
      email,
      name: 'Ada Lovelace',
      roles: ['customer'],
      status: UserStatus.USER_STATUS_ACTIVE,
    })
    expect(user.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(Date.parse(user.createdAt)).not.toBeNaN()
  })

  it('when the email is taken, in any case, then the answer looks like a new account and nothing changes', async () => {
    const { email, user: owner } = await registered()
    const { user: copy } = await identity.client.call('register', {
      email: email.toUpperCase(),
      password: 'another-horse-battery-8',
      name: 'Copy',
    })
    expect(Object.keys(copy!).sort()).toEqual(Object.keys(owner).sort())
    expect(copy).toMatchObject({
      email,
      name: 'Copy',
      roles: ['customer'],
      status: UserStatus.USER_STATUS_ACTIVE,
    })
    expect(copy!.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(copy!.id).not.toBe(owner.id)
    expect(Date.parse(copy!.createdAt)).not.toBeNaN()
    // the owner's password still signs in; the newcomer's does not, and no second account exists
    expect((await login(email)).user?.id).toBe(owner.id)
    expect(await codeOf(login(email, 'another-horse-battery-8'))).toBe('IDENTITY_INVALID_CREDENTIALS')
    expect(await codeOf(identity.client.call('getUser', { id: copy!.id }))).toBe('IDENTITY_USER_NOT_FOUND')
  })

  it('when the same email registers twice at once, then exactly one account is created', async () => {
    const email = newEmail()
    const results = await Promise.all(
      [1, 2, 3].map(() => identity.client.call('register', { email, password: PASSWORD, name: 'Racer' })),
    )
    const found = await Promise.allSettled(
      results.map((r) => identity.client.call('getUser', { id: r.user!.id })),
    )
    expect(found.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect((await login(email)).user?.id).toBe(
      results.find((_, i) => found[i]!.status === 'fulfilled')?.user?.id,
    )
  })

  it('when fields are wrong, then INVALID_ARGUMENT names each field and nothing is created', async () => {
    const email = newEmail()
    const err = await rejectionOf<AppError>(
      identity.client.call('register', { email: 'not-an-email', password: 'abcdefghijkl', name: '' }),
    )
    expect([err.kind, err.code]).toEqual(['invalid_argument', 'IDENTITY_INVALID_REGISTRATION'])
    expect(err.fields.map((f) => f.field)).toEqual(['email', 'password', 'name'])
    expect(err.fields.find((f) => f.field === 'password')?.message).toMatch(/mix at least two/)
    const tooShort = await rejectionOf<AppError>(
      identity.client.call('register', { email, password: 'Ab1!', name: 'Ada' }),
    )
    expect(tooShort.fields).toEqual([{ field: 'password', message: 'at least 10 characters' }])
    const sameAsEmail = await rejectionOf<AppError>(
      identity.client.call('register', { email, password: email, name: 'Ada' }),
    )
    expect(sameAsEmail.fields).toEqual([{ field: 'password', message: 'must not be your email address' }])
    expect(await codeOf(login(email))).toBe('IDENTITY_INVALID_CREDENTIALS')
  })

  it('when the request carries a role, then it is ignored and the user is a customer', async () => {
    const email = newEmail()
    const { user } = await identity.client.call('register', {
      email,
      password: PASSWORD,
      name: 'Mallory',
      role: 'admin',
      roles: ['admin'],
    } as never)
    expect(user?.roles).toEqual(['customer'])
    const verified = await identity.verifier().verify((await login(email)).tokens!.accessToken)
    expect(verified.roles).toEqual(['customer'])
  })

  it('when a user is stored, then its password is an argon2id hash and no response carries it', async () => {
    const { user, email } = await registered()
    const { rows } = await identity.service.db!.query<{ password_hash: string }>(
      'select password_hash from users where id = $1',
      [user.id],
    )
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    const responses = [user, await login(email), await identity.client.call('getUser', { id: user.id })]
    for (const response of responses) {
      const json = JSON.stringify(response)
      expect(json).not.toContain('$argon2')
      expect(json).not.toContain(PASSWORD)
      expect(json).not.toMatch(/hash/i)
    }
  })
})

describe('login', () => {
  it('when the credentials are right, then an access token, a refresh token and the user come back', async () => {
    const { user, email } = await registered()
    const res = await login(email.toUpperCase())
    expect(res.user?.id).toBe(user.id)
    expect(res.tokens).toMatchObject({ expiresIn: 900, tokenType: 'Bearer' })
    expect(res.tokens!.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const principal = await identity.verifier().verify(res.tokens!.accessToken)
    expect(principal).toMatchObject({ userId: user.id, roles: ['customer'], email })
  })

  it('when the token is decoded, then it is an EdDSA at+jwt with a kid that lives 15 minutes', async () => {
    const { email } = await registered()
    const { accessToken } = (await login(email)).tokens!
    const [header, payload] = accessToken
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()))
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' })
    expect((await identity.jwks()).keys.map((k) => k.kid)).toContain(header.kid)
    expect(payload).toMatchObject({ iss: 'microshop-identity', aud: 'microshop' })
    expect(payload.exp - payload.iat).toBe(900)
  })

  it('when the password is wrong or the email unknown, then the answer is the same', async () => {
    const { email } = await registered()
    const wrongPassword = await rejectionOf<AppError>(login(email, 'Wrong-password-1'))
    const unknownEmail = await rejectionOf<AppError>(login(newEmail()))
    const malformed = await rejectionOf<AppError>(login('nobody', PASSWORD))
    for (const err of [wrongPassword, unknownEmail, malformed]) {
      expect([err.kind, err.code, err.message]).toEqual([
        'unauthenticated',
        'IDENTITY_INVALID_CREDENTIALS',
        'wrong email or password',
      ])
      expect(err.fields).toEqual([])
    }
  })

  it('when the email is unknown, then answering takes about as long as for a wrong password', async () => {
    const users = await Promise.all([1, 2].map(() => registered()))
    const timed = async (attempt: () => Promise<unknown>) => {
      const started = performance.now()
      await attempt().catch(() => undefined)
      return performance.now() - started
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const wrong: number[] = []
    const unknown: number[] = []
    for (let i = 0; i < 6; i++) {
      wrong.push(await timed(() => login(users[i % 2]!.email, `Wrong-password-${i}`)))
      unknown.push(await timed(() => login(newEmail())))
    }
    // an argon2 check costs tens of milliseconds; a lookup alone a few: half is far from both
    expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.5)
  })

  it('when the user is blocked, then the right password gets PERMISSION_DENIED and a wrong one the usual answer', async () => {
    const { user, email } = await registered()
    await identity.service.db!.query(`update users set status = 'blocked' where id = $1`, [user.id])
    const err = await rejectionOf<AppError>(login(email))
    expect([err.kind, err.code]).toEqual(['permission_denied', 'IDENTITY_USER_BLOCKED'])
    expect(await codeOf(login(email, 'Wrong-password-1'))).toBe('IDENTITY_INVALID_CREDENTIALS')
    expect((await identity.client.call('getUser', { id: user.id })).user?.status).toBe(
      UserStatus.USER_STATUS_BLOCKED,
    )
  })
})

describe('refresh and logout', () => {
  it('when a refresh token is used, then a new pair comes back and the old refresh token is spent', async () => {
    const { user, email } = await registered()
    const first = (await login(email)).tokens!
    const second = (await refresh(first.refreshToken)).tokens!
    expect(second.refreshToken).not.toBe(first.refreshToken)
    expect(second.accessToken).not.toBe(first.accessToken)
    expect((await identity.verifier().verify(second.accessToken)).userId).toBe(user.id)
    const third = (await refresh(second.refreshToken)).tokens!
    expect(third.expiresIn).toBe(900)
  })

  it('when a spent refresh token is presented again, then the whole family is revoked, the newest token too', async () => {
    const { email } = await registered()
    const first = (await login(email)).tokens!
    const second = (await refresh(first.refreshToken)).tokens!
    const third = (await refresh(second.refreshToken)).tokens!
    const reuse = await rejectionOf<AppError>(refresh(first.refreshToken))
    expect([reuse.kind, reuse.code]).toEqual(['unauthenticated', 'IDENTITY_REFRESH_REUSED'])
    expect(await codeOf(refresh(third.refreshToken))).toBe('IDENTITY_REFRESH_INVALID')
  })

  it('when one family is revoked for reuse, then the same user signed in elsewhere keeps their session', async () => {
    const { email } = await registered()
    const laptop = (await login(email)).tokens!
    const phone = (await login(email)).tokens!
    await refresh(laptop.refreshToken)
    expect(await codeOf(refresh(laptop.refreshToken))).toBe('IDENTITY_REFRESH_REUSED')
    expect((await refresh(phone.refreshToken)).tokens?.refreshToken).toBeTruthy()
  })

  it('when the same refresh token is sent twice at once, then one rotates and the family ends', async () => {
    const { email } = await registered()
    const { refreshToken } = (await login(email)).tokens!
    const results = await Promise.allSettled([refresh(refreshToken), refresh(refreshToken)])
    const won = results.filter((r) => r.status === 'fulfilled')
    expect(won).toHaveLength(1)
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect((lost.reason as AppError).code).toBe('IDENTITY_REFRESH_REUSED')
    const winner = (won[0] as PromiseFulfilledResult<{ tokens?: { refreshToken: string } }>).value
    expect(await codeOf(refresh(winner.tokens!.refreshToken))).toBe('IDENTITY_REFRESH_INVALID')
  })

  it('when a refresh token is unknown, empty or absurdly long, then it is invalid', async () => {
    for (const token of ['A'.repeat(43), '', 'x'.repeat(10_000)])
      expect(await codeOf(refresh(token))).toBe('IDENTITY_REFRESH_INVALID')
  })

  it('when the user logs out, then the refresh token stops working; logging out again is fine', async () => {
    const { email } = await registered()
    const first = (await login(email)).tokens!
    const second = (await refresh(first.refreshToken)).tokens!
    await identity.client.call('logout', { refreshToken: second.refreshToken })
    const err = await rejectionOf<AppError>(refresh(second.refreshToken))
    expect([err.kind, err.code]).toEqual(['unauthenticated', 'IDENTITY_REFRESH_INVALID'])
    await identity.client.call('logout', { refreshToken: second.refreshToken })
    await identity.client.call('logout', { refreshToken: 'never-issued' })
    await identity.client.call('logout', { refreshToken: '' })
  })

  it('when the user is blocked, then refreshing fails and the session is ended', async () => {
    const { user, email } = await registered()
    const { refreshToken } = (await login(email)).tokens!
    await identity.service.db!.query(`update users set status = 'blocked' where id = $1`, [user.id])
    expect(await codeOf(refresh(refreshToken))).toBe('IDENTITY_USER_BLOCKED')
    await identity.service.db!.query(`update users set status = 'active' where id = $1`, [user.id])
    expect(await codeOf(refresh(refreshToken))).toBe('IDENTITY_REFRESH_INVALID')
  })

  it('when only the hash of a refresh token is stored, then the token itself is nowhere in the database', async () => {
    const { email } = await registered()
    const { refreshToken } = (await login(email)).tokens!
    const { rows } = await identity.service.db!.query<{ found: number }>(
      `select count(*) as found from refresh_tokens
        where token_hash = sha256(convert_to($1, 'UTF8'))`,
      [refreshToken],
    )
    expect(rows[0]!.found).toBe(1)
    const dump = await identity.service.db!.query('select * from refresh_tokens')
    expect(JSON.stringify(dump.rows)).not.toContain(refreshToken)
  })
})

describe('refresh tokens expire', () => {
  let shortDb: TestDatabase
  let short: TestIdentity
  const clock = manualClock()

  beforeAll(async () => {
    shortDb = await createTestDatabase('identity_short_refresh')
    short = await startTestIdentity(
      shortDb.url,
      { IDENTITY_REFRESH_TOKEN_TTL_SECONDS: '1' },
      { clock: clock.now },
    )
  })
  afterAll(async () => {
    await short?.stop()
    await shortDb?.drop()
  })

  it('when a refresh token is older than its lifetime, then it is invalid', async () => {
    const email = newEmail()
    await short.client.call('register', { email, password: PASSWORD, name: 'Ada' })
    const first = (await short.client.call('login', { email, password: PASSWORD })).tokens!
    // the control: a moment before the end of its lifetime, it still rotates
    clock.advance(999)
    const { refreshToken } = (await short.client.call('refresh', { refreshToken: first.refreshToken }))
      .tokens!
    clock.advance(1_000)
    const err = await rejectionOf<AppError>(short.client.call('refresh', { refreshToken }))
    expect(err.code).toBe('IDENTITY_REFRESH_INVALID')
  })
})
