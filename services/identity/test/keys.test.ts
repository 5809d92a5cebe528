import { type ManualClock, manualClock, waitFor } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { startTestIdentity, type TestIdentity } from '../../../test-support/identity-service.js'

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
