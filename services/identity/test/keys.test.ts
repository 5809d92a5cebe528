import { randomBytes } from 'node:crypto'
import { type ManualClock, manualClock, waitFor } from '@microshop/chassis/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { startTestIdentity, type TestIdentity } from '../../../test-support/identity-service.js'
import { createKeyWrap } from '../src/app/key-wrap.js'

const PASSWORD = 'correct-horse-battery-9'

const kidOf = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid
const expOf = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp

const kidsOf = async (identity: TestIdentity) => (await identity.jwks()).keys.map((k) => k.kid!)

async function signIn(identity: TestIdentity, email: string) {
  await identity.client
    .call('register', { email, password: PASSWORD, name: 'Key Tester' })
    .catch(() => undefined)
  return (await identity.client.call('login', { email, password: PASSWORD })).tokens!.accessToken
}

const ageActiveKey = (identity: TestIdentity, hours: number) =>
  identity.service.db!.query(
    `update signing_keys set created_at = created_at - make_interval(hours => $1) where retired_at is null`,
    [hours],
  )

let staleCounts = 0
/**
 * Resolves once a whole housekeeping round has run since the call, seen by the stale failure counts it prunes:
 * the first may go in a round already under way, the second only in a round that began after it.
 */
async function housekeepingRan(identity: TestIdentity, clock: ManualClock) {
  for (let round = 0; round < 2; round++) {
    const email = `stale${++staleCounts}@example.com`
    await identity.service.db!.query(
      `insert into login_failures (email, failures, window_started_at) values ($1, 1, $2)`,
      [email, new Date(clock.now().getTime() - 7 * 86_400_000)],
    )
    await waitFor(
      async () =>
        (await identity.service.db!.query('select 1 from login_failures where email = $1', [email]))
          .rowCount === 0,
      { what: 'housekeeping to prune a stale failure count' },
    )
  }
}

describe('signing key rotation', () => {
  let db: TestDatabase
  let identity: TestIdentity
  const clock = manualClock()

  beforeAll(async () => {
    db = await createTestDatabase('identity_rotation')
    identity = await startTestIdentity(
      db.url,
      { IDENTITY_ACCESS_TOKEN_TTL_SECONDS: '6', IDENTITY_HOUSEKEEPING_INTERVAL_SECONDS: '1' },
      { clock: clock.now },
    )
  })
  afterAll(async () => {
    await identity?.stop()
    await db?.drop()
  })

  it('when the active key is younger than the rotation period, then the periodic check keeps it', async () => {
    const before = await kidsOf(identity)
    await ageActiveKey(identity, 23)
    await housekeepingRan(identity, clock)
    expect(await kidsOf(identity)).toEqual(before)
  })

  it('when the active key outlives the rotation period, then a new key signs and the old one verifies until its tokens expire', async () => {
    const oldToken = await signIn(identity, 'rotation@example.com')
    const oldKid = kidOf(oldToken)
    // a verifier that cached the key set before the rotation, as the gateway's would
    const cached = identity.verifier()
    await cached.verify(oldToken)
    await ageActiveKey(identity, 2)
    const kids = await waitFor(
      async () => {
        const now = await kidsOf(identity)
        return now.length === 2 ? now : undefined
      },
      { what: 'a second key' },
    )
    expect(kids).toContain(oldKid)
    expect((await identity.verifier().verify(oldToken)).email).toBe('rotation@example.com')

    const newToken = await signIn(identity, 'rotation@example.com')
    const newKid = kidOf(newToken)
    expect(newKid).not.toBe(oldKid)
    expect(kids).toContain(newKid)
    expect((await identity.verifier().verify(newToken)).email).toBe('rotation@example.com')
    // an unknown kid makes the verifier fetch the new key set: it waits for its turn, it is not refused
    expect((await cached.verify(newToken)).email).toBe('rotation@example.com')

    // a moment before the last token it signed expires, the old key is still published
    clock.set(new Date(expOf(oldToken) * 1_000 - 1))
    expect(await kidsOf(identity)).toContain(oldKid)
    clock.advance(6_000)
    await waitFor(async () => !(await kidsOf(identity)).includes(oldKid), {
      what: 'the old key to leave the JWKS',
    })
    // it left only once every token it signed had expired
    expect(clock.now().getTime() / 1000).toBeGreaterThanOrEqual(expOf(oldToken))
    expect(await kidsOf(identity)).toEqual([newKid])
    const latest = await signIn(identity, 'rotation@example.com')
    expect(kidOf(latest)).toBe(newKid)
    expect((await identity.verifier().verify(latest)).email).toBe('rotation@example.com')
    // the next housekeeping round deletes it, private half and all
    const stored = await waitFor(
      async () => {
        const { rows } = await identity.service.db!.query<{ kid: string }>('select kid from signing_keys')
        return rows.length === 1 ? rows.map((r) => r.kid) : undefined
      },
      { what: 'the old key row to be deleted' },
    )
    expect(stored).toEqual([newKid])
  })
})

describe('replicas on one database', () => {
  let db: TestDatabase
  let replicas: TestIdentity[] = []

  beforeAll(async () => {
    db = await createTestDatabase('identity_replicas')
  })
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()))
    await db?.drop()
  })

  it('when two replicas start together on a fresh database, then there is one signing key and one admin', async () => {
    replicas = await Promise.all(
      ['a', 'b'].map((id) => startTestIdentity(db.url, { INSTANCE_ID: `identity-${id}` })),
    )
    const [a, b] = replicas as [TestIdentity, TestIdentity]
    const { rows } = await a.service.db!.query<{ keys: number; admins: number }>(
      `select (select count(*) from signing_keys) as keys,
              (select count(*) from users where 'admin' = any(roles)) as admins`,
    )
    expect(rows[0]).toEqual({ keys: 1, admins: 1 })
    expect(await kidsOf(a)).toEqual(await kidsOf(b))
    const token = await signIn(a, 'replica@example.com')
    expect((await b.verifier().verify(token)).email).toBe('replica@example.com')
  })

  it('when two replicas restart together on an aged key, then exactly one new key takes over', async () => {
    await Promise.all(replicas.map((r) => r.stop()))
    replicas = []
    const probe = await startTestIdentity(db.url)
    await ageActiveKey(probe, 25)
    const [oldKid] = await kidsOf(probe)
    await probe.stop()
    replicas = await Promise.all(
      ['c', 'd'].map((id) => startTestIdentity(db.url, { INSTANCE_ID: `identity-${id}` })),
    )
    const [c, d] = replicas as [TestIdentity, TestIdentity]
    const { rows } = await c.service.db!.query<{ kid: string; retired: boolean }>(
      'select kid, retired_at is not null as retired from signing_keys order by created_at',
    )
    expect(rows.map((r) => [r.kid === oldKid, r.retired])).toEqual([
      [true, true],
      [false, false],
    ])
    const newKid = rows[1]!.kid
    expect(kidOf(await signIn(c, 'replica@example.com'))).toBe(newKid)
    expect(kidOf(await signIn(d, 'replica@example.com'))).toBe(newKid)
    expect((await kidsOf(d)).sort()).toEqual([oldKid, newKid].sort())
  })
})

describe('signing keys at rest', () => {
  let db: TestDatabase
  const kek = randomBytes(32).toString('base64')
  const withKek = (key: string) => ({ IDENTITY_KEY_ENCRYPTION_KEY: key })
  const storedRows = (identity: TestIdentity) =>
    identity.service.db!.query<{
      kid: string
      row: string
      private_jwk: unknown
      private_key_wrapped: string | null
    }>('select kid, to_jsonb(k)::text as row, private_jwk, private_key_wrapped from signing_keys k')

  beforeAll(async () => {
    db = await createTestDatabase('identity_keys_at_rest')
  })
  afterAll(async () => {
    await db?.drop()
  })

  it('when identity stores a signing key, then its row holds the private half only wrapped, and a row of an earlier version is wrapped on the next start and still signs', async () => {
    const identity = await startTestIdentity(db.url, withKek(kek))
    const token = await signIn(identity, 'at-rest@example.com')
    const [stored] = (await storedRows(identity)).rows
    const privateJwk = createKeyWrap(Buffer.from(kek, 'base64')).unwrap(
      stored!.kid,
      stored!.private_key_wrapped!,
    )
    expect(stored!.private_jwk).toBeNull()
    // the control: what is wrapped is the key that signed the token
    expect(privateJwk.kid).toBe(kidOf(token))
    expect(typeof privateJwk.d).toBe('string')
    expect(stored!.row).not.toContain(privateJwk.d as string)
    expect(stored!.row).not.toMatch(/"d"|PRIVATE KEY/)

    // the row as an earlier version left it: the private JWK in the clear
    await identity.service.db!.query(
      'update signing_keys set private_jwk = $2, private_key_wrapped = null where kid = $1',
      [stored!.kid, privateJwk],
    )
    await identity.stop()
    const restarted = await startTestIdentity(db.url, withKek(kek))
    try {
      const [migrated] = (await storedRows(restarted)).rows
      expect(migrated).toMatchObject({ kid: stored!.kid, private_jwk: null })
      expect(migrated!.row).not.toContain(privateJwk.d as string)
      expect(kidOf(await signIn(restarted, 'at-rest@example.com'))).toBe(stored!.kid)
    } finally {
      await restarted.stop()
    }
  })

  it('when identity starts with another key-encryption key than the one that wrapped its keys, then it refuses to start, naming the variable', async () => {
    const sql = new pg.Client({ connectionString: db.url })
    await sql.connect()
    const rows = async () => (await sql.query('select kid, private_key_wrapped from signing_keys')).rows
    const before = await rows()
    expect(before).toHaveLength(1)
    await expect(startTestIdentity(db.url, withKek(randomBytes(32).toString('base64')))).rejects.toThrow(
      /IDENTITY_KEY_ENCRYPTION_KEY: does not unwrap the stored signing key/,
    )
    expect(await rows()).toEqual(before)
    await sql.end()
  })
})
