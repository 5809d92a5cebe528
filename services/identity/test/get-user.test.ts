import * as grpc from '@grpc/grpc-js'
import type { AppError, ServiceClient } from '@microshop/chassis'
import { createServiceClient } from '@microshop/chassis/internal'
import { silentLogger, staticDiscovery } from '@microshop/chassis/testing'
import { IdentityServiceService, UserStatus } from '@microshop/contracts/identity/v1/identity'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { rejectionOf } from '../../../test-support/grpc.js'
import { startInProcess } from '../../../test-support/in-process.js'
import { testTls, testTlsDir } from '../../../test-support/tls.js'
import { startIdentity } from '../src/main.js'

// GetUser over mutual TLS, as launched: each caller its own certificate, the call policy on.
const PASSWORD = 'correct-horse-battery-9'
const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }
let db: TestDatabase
let identity: Awaited<ReturnType<typeof startInProcess<typeof IdentityServiceService>>>
const clients: Record<string, ServiceClient<typeof IdentityServiceService>> = {}
let seq = 0

/** Identity as `service` reaches it: with that service's certificate. */
const as = (service: string) => clients[service]!

async function person() {
  const email = `get-user${++seq}@example.com`
  await as('gateway').call('register', { email, password: PASSWORD, name: 'Ada Lovelace' })
  const { tokens, user } = await as('gateway').call('login', { email, password: PASSWORD })
  await as('gateway').call(
    'updateProfile',
    {
      name: 'Ada Lovelace',
      replaceAddresses: true,
      addresses: [
        {
          id: '',
          label: 'Home',
          name: 'Ada Lovelace',
          line1: '12 St James Square',
          line2: '',
          city: 'London',
          region: '',
          postalCode: 'SW1Y 4JH',
          country: 'GB',
          phone: '+44 20 7946 0000',
          isDefault: true,
        },
      ],
    },
    { authorization: `Bearer ${tokens!.accessToken}` },
  )
  return { id: user!.id, email, authorization: `Bearer ${tokens!.accessToken}` }
}

const grpcCode = (err: AppError) => (err.cause as { code?: number } | undefined)?.code

beforeAll(async () => {
  db = await createTestDatabase('identity_get_user')
  identity = await startInProcess('identity', startIdentity, IdentityServiceService, db.url, {
    TLS_DIR: await testTlsDir('identity'),
  })
  for (const service of ['gateway', 'orders', 'fraud', 'cart'])
    clients[service] = createServiceClient({
      service: 'identity',
      definition: IdentityServiceService,
      discovery: staticDiscovery([identity.target]),
      log: silentLogger,
      retries: 0,
      tls: await testTls(service),
    })
})
afterAll(async () => {
  for (const client of Object.values(clients)) client.close()
  await identity?.stop()
  await db?.drop()
})

describe('GetUser', () => {
  it("when orders forwards a user's own token, then it gets that user's whole profile", async () => {
    const ada = await person()
    const { user } = await as('orders').call('getUser', { id: ada.id }, { authorization: ada.authorization })
    expect(user).toMatchObject({ id: ada.id, email: ada.email, name: 'Ada Lovelace' })
    expect(user?.addresses[0]?.phone).toBe('+44 20 7946 0000')
  })

  it("when the forwarded token is another customer's, then PERMISSION_DENIED, for an existing id and an unknown one alike", async () => {
    const [ada, mallory] = [await person(), await person()]
    for (const id of [ada.id, '00000000-0000-4000-8000-000000000000']) {
      const err = await rejectionOf<AppError>(
        as('orders').call('getUser', { id }, { authorization: mallory.authorization }),
      )
      expect(grpcCode(err)).toBe(grpc.status.PERMISSION_DENIED)
      expect(err.code).toBe('IDENTITY_NOT_YOUR_ACCOUNT')
      expect(JSON.stringify(err)).not.toContain(ada.email)
    }
  })

  it("when an admin's token is forwarded, then any user's profile is shown", async () => {
    const ada = await person()
    const { tokens } = await as('gateway').call('login', ADMIN)
    const { user } = await as('orders').call(
      'getUser',
      { id: ada.id },
      { authorization: `Bearer ${tokens!.accessToken}` },
    )
    expect(user?.email).toBe(ada.email)
  })

  it('when fraud asks with no user token, then it learns the account’s age, status and roles, and nothing that says who or where', async () => {
    const ada = await person()
    const { user } = await as('fraud').call('getUser', { id: ada.id })
    expect(user).toMatchObject({ id: ada.id, status: UserStatus.USER_STATUS_ACTIVE, roles: ['customer'] })
    expect(Date.parse(user!.createdAt)).not.toBeNaN()
    expect(user).toMatchObject({ email: '', name: '', addresses: [] })
    expect(JSON.stringify(user)).not.toMatch(/Lovelace|London|\+44|example\.com/)
  })

  it('when orders asks with no user token, then PERMISSION_DENIED: it reads users only on their behalf', async () => {
    const ada = await person()
    const err = await rejectionOf<AppError>(as('orders').call('getUser', { id: ada.id }))
    expect(grpcCode(err)).toBe(grpc.status.PERMISSION_DENIED)
    expect(err.code).toBe('IDENTITY_USER_TOKEN_REQUIRED')
  })

  it('when a service the call policy does not name asks, even with the user’s own token, then PERMISSION_DENIED before the handler', async () => {
    const ada = await person()
    const err = await rejectionOf<AppError>(
      as('cart').call('getUser', { id: ada.id }, { authorization: ada.authorization }),
    )
    expect(grpcCode(err)).toBe(grpc.status.PERMISSION_DENIED)
    expect(err.code).toBe('PEER_FORBIDDEN')
  })
})
