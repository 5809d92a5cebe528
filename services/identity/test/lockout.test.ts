import type { AppError } from '@microshop/chassis'
import { manualClock } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { rejectionOf } from '../../../test-support/grpc.js'
import { startTestIdentity, type TestIdentity } from '../../../test-support/identity-service.js'

const PASSWORD = 'correct-horse-battery-9'
let db: TestDatabase
let identity: TestIdentity
let seq = 0

async function newUser(on = identity) {
  const email = `locked${++seq}@example.com`
  await on.client.call('register', { email, password: PASSWORD, name: 'Lock Tester' })
  return email
}
const login = (email: string, password: string, on = identity) => on.client.call('login', { email, password })
const failTimes = async (email: string, times: number, on = identity) => {
  for (let i = 0; i < times; i++) {
    const err = await rejectionOf<AppError>(login(email, `Wrong-password-${i}`, on))
    expect(err.code).toBe('IDENTITY_INVALID_CREDENTIALS')
  }
}

const clock = manualClock()

beforeAll(async () => {
  db = await createTestDatabase('identity_lockout')
  identity = await startTestIdentity(db.url, {}, { clock: clock.now })
})
afterAll(async () => {
  await identity?.stop()
  await db?.drop()
})

const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }

describe('login delay', () => {
  it('when five sign-ins fail within the window, then even the right password waits one second, then works', async () => {
    const email = await newUser()
    await failTimes(email, 5)
    const err = await rejectionOf<AppError>(login(email, PASSWORD))
    expect([err.kind, err.code]).toEqual(['resource_exhausted', 'IDENTITY_LOGIN_LOCKED'])
    expect(err.message).toMatch(/try again in 1 second \(after \d{4}-\d\d-\d\dT[\d:.]+Z\)/)
    expect(err.retryAfterMs).toBe(1_000)
    expect(err.retryable).toBe(false)
    clock.advance(1_000)
    expect((await login(email, PASSWORD)).tokens?.accessToken).toBeTruthy()
  })

  it('when someone keeps guessing the admin’s password, then the admin waits at most a minute and signs in', async () => {
    let waited = 0
    for (let i = 0; i < 30; i++) {
      const err = await rejectionOf<AppError>(login(ADMIN.email, `Wrong-password-${i}`))
      if (err.code === 'IDENTITY_LOGIN_LOCKED') {
        waited = err.retryAfterMs ?? 0
        clock.advance(waited)
      } else expect(err.code).toBe('IDENTITY_INVALID_CREDENTIALS')
    }
    expect(waited).toBe(60_000)
    // one more guess the moment the wait ends: the owner, right after, waits that minute and no longer
    expect((await rejectionOf<AppError>(login(ADMIN.email, 'Wrong-password-x'))).code).toBe(
      'IDENTITY_INVALID_CREDENTIALS',
    )
    const err = await rejectionOf<AppError>(login(ADMIN.email, ADMIN.password))
    expect([err.code, err.retryAfterMs]).toEqual(['IDENTITY_LOGIN_LOCKED', 60_000])
    clock.advance(60_000)
    expect((await login(ADMIN.email, ADMIN.password)).tokens?.accessToken).toBeTruthy()
  })

  it('when four sign-ins fail, then the fifth try with the right password succeeds and resets the count', async () => {
    const email = await newUser()
    await failTimes(email, 4)
    expect((await login(email, PASSWORD)).tokens?.accessToken).toBeTruthy()
    await failTimes(email, 4)
    expect((await login(email, PASSWORD)).tokens?.accessToken).toBeTruthy()
  })

  it('when an unknown email fails five times, then it waits the same way, so waiting reveals nothing', async () => {
    const email = `nobody${Date.now()}@example.com`
    await failTimes(email, 5)
    expect((await rejectionOf<AppError>(login(email, PASSWORD))).code).toBe('IDENTITY_LOGIN_LOCKED')
  })

  it('when one email waits, then other accounts sign in as usual', async () => {
    const locked = await newUser()
    const other = await newUser()
    await failTimes(locked, 5)
    expect((await login(other, PASSWORD)).tokens?.accessToken).toBeTruthy()
  })

  it('when failures come in parallel, then every one counts', async () => {
    const email = await newUser()
    await Promise.allSettled([0, 1, 2, 3, 4].map((i) => login(email, `Wrong-password-${i}`)))
    expect((await rejectionOf<AppError>(login(email, PASSWORD))).code).toBe('IDENTITY_LOGIN_LOCKED')
  })
})

describe('the delay with its own settings, across replicas', () => {
  let shared: TestDatabase
  let a: TestIdentity
  let b: TestIdentity
  // both replicas on one clock, as replicas on synchronised hosts are
  const replicaClock = manualClock()

  beforeAll(async () => {
    shared = await createTestDatabase('identity_lockout_replicas')
    const env = { IDENTITY_LOGIN_MAX_FAILURES: '3', IDENTITY_LOGIN_LOCK_SECONDS: '2' }
    ;[a, b] = await Promise.all([
      startTestIdentity(shared.url, env, { clock: replicaClock.now }),
      startTestIdentity(shared.url, env, { clock: replicaClock.now }),
    ])
  })
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    await shared?.drop()
  })

  it('when failures are spread over two replicas, then they add up and both refuse', async () => {
    const email = await newUser(a)
    await failTimes(email, 2, a)
    await failTimes(email, 1, b)
    for (const replica of [a, b]) {
      const err = await rejectionOf<AppError>(login(email, PASSWORD, replica))
      expect(err.code).toBe('IDENTITY_LOGIN_LOCKED')
      expect(err.message).toMatch(/try again in 1 second/)
      // what an automated client waits, on the service's clock like the message
      expect(err.retryAfterMs).toBe(1_000)
    }
  })

  it('when the wait has passed, then the right password works again', async () => {
    const email = await newUser(a)
    await failTimes(email, 3, a)
    expect((await rejectionOf<AppError>(login(email, PASSWORD, b))).code).toBe('IDENTITY_LOGIN_LOCKED')
    replicaClock.advance(999)
    expect((await rejectionOf<AppError>(login(email, PASSWORD, a))).code).toBe('IDENTITY_LOGIN_LOCKED')
    replicaClock.advance(1)
    expect((await login(email, PASSWORD, b)).tokens?.accessToken).toBeTruthy()
  })

  it('when failures go on, then the wait doubles up to the configured two seconds and no further', async () => {
    const email = await newUser(a)
    await failTimes(email, 3, a)
    const waits: number[] = []
    for (let i = 0; i < 3; i++) {
      const wait = (await rejectionOf<AppError>(login(email, PASSWORD, b))).retryAfterMs ?? 0
      waits.push(wait)
      replicaClock.advance(wait)
      await failTimes(email, 1, i % 2 ? a : b)
    }
    expect(waits).toEqual([1_000, 2_000, 2_000])
  })
})
