import type { AppError } from '@microshop/chassis'
import { type Address, UserStatus } from '@microshop/contracts/identity/v1/identity'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { rejectionOf } from '../../../test-support/grpc.js'
import { asCaller, startTestIdentity, type TestIdentity } from '../../../test-support/identity-service.js'

const PASSWORD = 'correct-horse-battery-9'
let db: TestDatabase
let identity: TestIdentity
let seq = 0

const address = (patch: Partial<Address> = {}): Address => ({
  id: '',
  label: 'Home',
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  line2: '',
  city: 'London',
  region: '',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
  phone: '',
  isDefault: false,
  ...patch,
})

async function signedIn() {
  const email = `profile${++seq}@example.com`
  const { user } = await identity.client.call('register', { email, password: PASSWORD, name: 'Ada Lovelace' })
  const { tokens } = await identity.client.call('login', { email, password: PASSWORD })
  return { user: user!, email, token: tokens!.accessToken }
}

const getProfile = (token: string) => asCaller(token, () => identity.client.call('getProfile', {}))
const updateProfile = (
  token: string,
  change: { name?: string; replaceAddresses?: boolean; addresses?: Address[] },
) =>
  asCaller(token, () =>
    identity.client.call('updateProfile', {
      name: change.name,
      replaceAddresses: change.replaceAddresses ?? false,
      addresses: change.addresses ?? [],
    }),
  )

beforeAll(async () => {
  db = await createTestDatabase('identity_profile')
  identity = await startTestIdentity(db.url)
})
afterAll(async () => {
  await identity?.stop()
  await db?.drop()
})

describe('the first admin', () => {
  it('when identity starts, then the admin from the defaults can sign in with the admin role', async () => {
    const { tokens, user } = await identity.client.call('login', {
      email: 'admin@microshop.local',
      password: 'microshop-admin-2026',
    })
    expect(user?.roles).toContain('admin')
    expect((await identity.verifier().verify(tokens!.accessToken)).roles).toContain('admin')
  })

  it('when identity restarts with another admin password, then the admin is neither duplicated nor changed', async () => {
    const again = await startTestIdentity(db.url, { MICROSHOP_ADMIN_PASSWORD: 'Another-admin-pass-1' })
    try {
      const { rows } = await again.service.db!.query<{ n: number }>(
        `select count(*) as n from users where email = 'admin@microshop.local'`,
      )
      expect(rows[0]!.n).toBe(1)
      const err = await rejectionOf<AppError>(
        again.client.call('login', { email: 'admin@microshop.local', password: 'Another-admin-pass-1' }),
      )
      expect(err.code).toBe('IDENTITY_INVALID_CREDENTIALS')
    } finally {
      await again.stop()
    }
  })

  it('when the admin email and password are configured, then that admin is created', async () => {
    const own = await createTestDatabase('identity_admin_env')
    const configured = await startTestIdentity(own.url, {
      MICROSHOP_ADMIN_EMAIL: ' Boss@Shop.Example ',
      MICROSHOP_ADMIN_PASSWORD: 'Boss-password-2026',
    })
    try {
      const { user } = await configured.client.call('login', {
        email: 'boss@shop.example',
        password: 'Boss-password-2026',
      })
      expect(user?.roles).toContain('admin')
      const defaults = await rejectionOf<AppError>(
        configured.client.call('login', { email: 'admin@microshop.local', password: 'microshop-admin-2026' }),
      )
      expect(defaults.code).toBe('IDENTITY_INVALID_CREDENTIALS')
    } finally {
      await configured.stop()
      await own.drop()
    }
  })
})

describe('profile', () => {
  it('when no token is sent, then GetProfile and UpdateProfile answer AUTH_REQUIRED', async () => {
    for (const call of [
      identity.client.call('getProfile', {}),
      identity.client.call('updateProfile', { name: 'x', replaceAddresses: false, addresses: [] }),
    ]) {
      const err = await rejectionOf<AppError>(call)
      expect([err.kind, err.code]).toEqual(['unauthenticated', 'AUTH_REQUIRED'])
    }
  })

  it('when the token is garbage, then GetProfile answers AUTH_TOKEN_INVALID', async () => {
    const err = await rejectionOf<AppError>(getProfile('not.a.token'))
    expect([err.kind, err.code]).toEqual(['unauthenticated', 'AUTH_TOKEN_INVALID'])
  })

  it('when a signed-in user asks, then they get their own profile', async () => {
    const { user, token, email } = await signedIn()
    const { user: profile } = await getProfile(token)
    expect(profile).toEqual({ ...user, email, addresses: [] })
  })

  it('when the name is changed, then it is trimmed and kept; addresses are left alone', async () => {
    const { token } = await signedIn()
    await updateProfile(token, { replaceAddresses: true, addresses: [address()] })
    const { user } = await updateProfile(token, { name: '  Augusta  Ada King ' })
    expect(user?.name).toBe('Augusta Ada King')
    expect(user?.addresses).toHaveLength(1)
    expect((await getProfile(token)).user?.name).toBe('Augusta Ada King')
  })

  it('when addresses are replaced, then new ones get ids, known ids are kept and one is the default', async () => {
    const { token } = await signedIn()
    const first = (await updateProfile(token, { replaceAddresses: true, addresses: [address()] })).user!
    const home = first.addresses[0]!
    expect(home).toMatchObject({ label: 'Home', country: 'GB', isDefault: true })
    expect(home.id).toMatch(/^[0-9a-f-]{36}$/)
    const { user } = await updateProfile(token, {
      replaceAddresses: true,
      addresses: [
        { ...home, isDefault: false },
        address({
          label: 'Work',
          line1: ' 1 Rue de Rivoli ',
          city: 'Paris',
          postalCode: '75001',
          country: 'FR',
          isDefault: true,
        }),
      ],
    })
    expect(user?.addresses.map((a) => [a.label, a.isDefault])).toEqual([
      ['Home', false],
      ['Work', true],
    ])
    expect(user?.addresses[0]?.id).toBe(home.id)
    expect(user?.addresses[1]?.line1).toBe('1 Rue de Rivoli')
    expect((await getProfile(token)).user?.addresses).toEqual(user?.addresses)
    const cleared = await updateProfile(token, { replaceAddresses: true, addresses: [] })
    expect(cleared.user?.addresses).toEqual([])
  })

  it('when addresses are wrong, then INVALID_ARGUMENT names each field and nothing changes', async () => {
    const { token } = await signedIn()
    await updateProfile(token, { replaceAddresses: true, addresses: [address()] })
    const before = (await getProfile(token)).user
    const err = await rejectionOf<AppError>(
      updateProfile(token, {
        name: '',
        replaceAddresses: true,
        addresses: [
          address({ country: 'gb' }),
          address({ line1: '', postalCode: '' }),
          address({ country: 'XX' }),
        ],
      }),
    )
    expect([err.kind, err.code]).toEqual(['invalid_argument', 'IDENTITY_INVALID_PROFILE'])
    expect(err.fields.map((f) => f.field)).toEqual([
      'name',
      'addresses[0].country',
      'addresses[1].line1',
      'addresses[1].postalCode',
      'addresses[2].country',
    ])
    expect(err.message).toContain('addresses[1].line1')
    expect((await getProfile(token)).user).toEqual(before)
  })

  it('when more than ten addresses or two defaults are sent, then the list is refused', async () => {
    const { token } = await signedIn()
    const eleven = await rejectionOf<AppError>(
      updateProfile(token, {
        replaceAddresses: true,
        addresses: Array.from({ length: 11 }, () => address()),
      }),
    )
    expect(eleven.fields).toEqual([{ field: 'addresses', message: 'at most 10 addresses' }])
    const twoDefaults = await rejectionOf<AppError>(
      updateProfile(token, {
        replaceAddresses: true,
        addresses: [address({ isDefault: true }), address({ isDefault: true })],
      }),
    )
    expect(twoDefaults.fields.map((f) => f.field)).toEqual(['addresses'])
    const ten = await updateProfile(token, {
      replaceAddresses: true,
      addresses: Array.from({ length: 10 }, () => address()),
    })
    expect(ten.user?.addresses).toHaveLength(10)
  })

  it("when a user names another user's address id, then it is refused", async () => {
    const alice = await signedIn()
    const bob = await signedIn()
    const aliceHome = (await updateProfile(alice.token, { replaceAddresses: true, addresses: [address()] }))
      .user!.addresses[0]!
    const err = await rejectionOf<AppError>(
      updateProfile(bob.token, { replaceAddresses: true, addresses: [{ ...aliceHome, city: 'Stolen' }] }),
    )
    expect(err.fields.map((f) => f.field)).toEqual(['addresses[0].id'])
    expect((await getProfile(alice.token)).user?.addresses[0]?.city).toBe('London')
  })

  it('when addresses are sent without replaceAddresses, then the request is refused rather than ignored', async () => {
    const { token } = await signedIn()
    const err = await rejectionOf<AppError>(updateProfile(token, { addresses: [address()] }))
    expect(err.fields.map((f) => f.field)).toEqual(['replaceAddresses'])
  })

  it('when the user is blocked, then their still-valid token no longer reads the profile', async () => {
    const { user, token } = await signedIn()
    await identity.service.db!.query(`update users set status = 'blocked' where id = $1`, [user.id])
    expect((await rejectionOf<AppError>(getProfile(token))).code).toBe('IDENTITY_USER_BLOCKED')
  })
})

describe('GetUser', () => {
  it('when another service asks for a user by id, then it gets status and roles', async () => {
    const { user } = await signedIn()
    const { user: found } = await identity.client.call('getUser', { id: user.id })
    expect(found).toMatchObject({ id: user.id, roles: ['customer'], status: UserStatus.USER_STATUS_ACTIVE })
  })

  it('when the id is unknown or not an id, then NOT_FOUND', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope', '']) {
      const err = await rejectionOf<AppError>(identity.client.call('getUser', { id }))
      expect([err.kind, err.code]).toEqual(['not_found', 'IDENTITY_USER_NOT_FOUND'])
    }
  })
})
