import { X509Certificate } from 'node:crypto'
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getuid } from 'node:process'
import * as grpc from '@grpc/grpc-js'
import {
  createEventSigner,
  createServiceClient,
  openEventBus,
  type ServiceDefinition,
} from '@microshop/chassis/internal'
import { publishEvent, silentLogger, staticDiscovery, waitFor } from '@microshop/chassis/testing'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { events } from '@microshop/contracts/events'
import { FraudServiceService } from '@microshop/contracts/fraud/v1/fraud'
import { InventoryServiceService } from '@microshop/contracts/inventory/v1/inventory'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOCAL_POOL_MAX } from '../packages/cli/src/system.js'
import { rejectionOf } from '../test-support/grpc.js'
import { freePort } from '../test-support/net.js'
import { jsonCall } from './http.js'
import { type Launcher, launch } from './launcher.js'

// Attacks from the same host, past the gateway, on the launched system's gRPC ports (issue 11).
const SERVICES = [
  'identity',
  'catalog',
  'inventory',
  'cart',
  'fraud',
  'payments',
  'orders',
  'shipping',
  'gateway',
]
let dataDir: string
let port: number
let launcher: Launcher
const base = () => `http://127.0.0.1:${port}`

const grpcTarget = async (service: string) => {
  const state = JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8')) as {
    instances: Array<{ service: string; grpcPort?: number; status: string }>
  }
  const instance = state.instances.find((i) => i.service === service && i.grpcPort)
  if (!instance) throw new Error(`no ${service} instance with a gRPC port`)
  return `127.0.0.1:${instance.grpcPort}`
}

/** The certificate the launcher made for `service`, as that service loads it. */
const certificateOf = async (service: string) => {
  const dir = join(dataDir, 'tls', service)
  const [ca, cert, key] = await Promise.all(
    ['ca.crt', 'tls.crt', 'tls.key'].map((f) => readFile(join(dir, f))),
  )
  return { ca: ca!, cert: cert!, key: key! }
}

/** A client of `service` that presents `as`'s certificate: what a compromised `as` could do. */
const clientAs = async <D extends ServiceDefinition>(as: string, service: string, definition: D) =>
  createServiceClient({
    service,
    definition,
    discovery: staticDiscovery([await grpcTarget(service)]),
    log: silentLogger,
    deadlineMs: 5_000,
    retries: 0,
    tls: await certificateOf(as),
  })

const grpcCode = (err: { cause?: { code?: number } }) => err.cause?.code

const cheapMat = {
  product: {
    id: 'cork-yoga-mat',
    name: 'Cork Yoga Mat',
    description: 'one cent',
    price: { amount: 1, currency: 'EUR' },
    category: 'fitness',
    imageUrl: '',
    weightGrams: 1000,
    updatedAt: '',
  },
  createOnly: false,
}

async function userToken() {
  const email = `zero-trust-${Date.now()}@example.com`
  const password = 'correct-horse-battery-9'
  await jsonCall(base(), '/api/auth/register', { method: 'POST', json: { email, password, name: 'Mallory' } })
  const login = await jsonCall<{ accessToken: string }>(base(), '/api/auth/login', {
    method: 'POST',
    json: { email, password },
  })
  expect(login.status).toBe(200)
  return `Bearer ${login.body.accessToken}`
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'microshop-zero-trust-'))
  await chmod(dataDir, 0o755)
  port = await freePort()
  launcher = await launch(dataDir, port, {
    env: {
      LOG_LEVEL: 'warn',
      GRPC_INSECURE: 'true',
      // what a user's shell may hold: no service is given it
      SHELL_SECRET_CANARY: 'canary-of-the-shell',
      // a setting of payments': payments alone gets it
      PAYMENTS_SWEEP_GRACE_MS: '60001',
    },
  })
  await launcher.ready()
}, 180_000)

afterAll(async () => {
  await launcher?.stop()
  await rm(dataDir, { recursive: true, force: true })
}, 60_000)

describe('service identity', () => {
  it('when the system first starts, then each service has its own certificate naming it, from a CA in the data dir, keys 0600', async () => {
    expect((await stat(join(dataDir, 'tls'))).mode & 0o777).toBe(0o700)
    expect((await stat(join(dataDir, 'tls', 'ca', 'ca.key'))).mode & 0o777).toBe(0o600)
    const ca = new X509Certificate(await readFile(join(dataDir, 'tls', 'ca', 'ca.crt')))
    for (const service of SERVICES) {
      const { cert } = await certificateOf(service)
      const x509 = new X509Certificate(cert)
      expect(x509.subjectAltName?.split(', ')[0]).toBe(`DNS:${service}`)
      expect(x509.verify(ca.publicKey)).toBe(true)
      expect((await stat(join(dataDir, 'tls', service, 'tls.key'))).mode & 0o777).toBe(0o600)
    }
  })

  it("when a client has no certificate, or speaks plaintext, then it cannot even connect (GRPC_INSECURE in the launcher's environment is ignored)", async () => {
    const target = await grpcTarget('catalog')
    const { ca } = await certificateOf('gateway')
    const Catalog = grpc.makeGenericClientConstructor(
      CatalogServiceService as grpc.ServiceDefinition,
      'catalog',
    )
    for (const credentials of [grpc.credentials.createSsl(ca), grpc.credentials.createInsecure()]) {
      const raw = new Catalog(target, credentials, {
        'grpc.ssl_target_name_override': 'catalog',
      }) as grpc.Client & Record<string, (...args: unknown[]) => void>
      const err = await rejectionOf<grpc.ServiceError>(
        new Promise((resolve, reject) =>
          raw.upsertProduct!(
            cheapMat,
            new grpc.Metadata(),
            { deadline: Date.now() + 5_000 },
            (e: unknown, r: unknown) => (e ? reject(e) : resolve(r)),
          ),
        ),
      )
      raw.close()
      expect(err.code).toBe(grpc.status.UNAVAILABLE)
    }
  })
})

describe('per-RPC authorisation from the call policy', () => {
  it("when a service the policy does not name calls catalog's UpsertProduct with its own certificate, then PERMISSION_DENIED and the price stands", async () => {
    const before = await jsonCall<{ price: unknown }>(base(), '/api/products/cork-yoga-mat')
    expect(before.status).toBe(200)
    const fraud = await clientAs('fraud', 'catalog', CatalogServiceService)
    try {
      const err = await rejectionOf<{ code: string; cause?: { code?: number } }>(
        fraud.call('upsertProduct', cheapMat),
      )
      expect(grpcCode(err)).toBe(grpc.status.PERMISSION_DENIED)
      expect(err.code).toBe('PEER_FORBIDDEN')
    } finally {
      fraud.close()
    }
    const after = await jsonCall<{ price: unknown }>(base(), '/api/products/cork-yoga-mat')
    expect(after.body.price).toEqual(before.body.price)
  })

  it('when anything but orders reserves stock, or anything but payments asks for a fraud score, then PERMISSION_DENIED', async () => {
    const gateway = await clientAs('gateway', 'inventory', InventoryServiceService)
    const orders = await clientAs('orders', 'fraud', FraudServiceService)
    try {
      const reserve = await rejectionOf<{ cause?: { code?: number } }>(
        gateway.call('reserveStock', {
          orderId: 'victim-order',
          lines: [{ productId: 'cork-yoga-mat', quantity: 1 }],
          ttlSeconds: 86_400,
        }),
      )
      expect(grpcCode(reserve)).toBe(grpc.status.PERMISSION_DENIED)
      const score = await rejectionOf<{ cause?: { code?: number } }>(
        orders.call('score', {
          orderId: 'victim-order',
          userId: 'victim',
          amount: { amount: 100, currency: 'EUR' },
          cardBin: '424242',
          cardLast4: '4242',
          cardCountry: 'DE',
          shippingCountry: 'DE',
          email: 'victim@example.com',
        }),
      )
      expect(grpcCode(score)).toBe(grpc.status.PERMISSION_DENIED)
    } finally {
      gateway.close()
      orders.close()
    }
  })

  it('when the allowed caller forwards a user token without the admin role to an admin RPC, then PERMISSION_DENIED', async () => {
    const authorization = await userToken()
    const inventory = await clientAs('gateway', 'inventory', InventoryServiceService)
    const catalog = await clientAs('gateway', 'catalog', CatalogServiceService)
    try {
      const before = await jsonCall<{ price: unknown }>(base(), '/api/products/cork-yoga-mat')
      const upsert = await rejectionOf<{ code: string; cause?: { code?: number } }>(
        catalog.call('upsertProduct', cheapMat, { authorization }),
      )
      expect(grpcCode(upsert)).toBe(grpc.status.PERMISSION_DENIED)
      expect(upsert.code).toBe('AUTH_FORBIDDEN')
      const anonymous = await rejectionOf<{ cause?: { code?: number } }>(
        catalog.call('upsertProduct', cheapMat),
      )
      expect(grpcCode(anonymous)).toBe(grpc.status.UNAUTHENTICATED)
      const after = await jsonCall<{ price: unknown }>(base(), '/api/products/cork-yoga-mat')
      expect(after.body.price).toEqual(before.body.price)

      const err = await rejectionOf<{ cause?: { code?: number } }>(
        inventory.call('setStock', { productId: 'cork-yoga-mat', onHand: 0 }, { authorization }),
      )
      expect(grpcCode(err)).toBe(grpc.status.PERMISSION_DENIED)
    } finally {
      inventory.close()
      catalog.close()
    }
  })
})

describe('credentials per service', () => {
  interface Secrets {
    roles: Record<string, string>
    keys: Record<string, string>
  }
  interface RunState {
    pgPort: number
    instances: Array<{ service: string; pid: number }>
  }
  const secrets = async () => JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as Secrets
  const runState = async () => JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8')) as RunState
  /** A session on `database` as `service`'s own role, with the password the launcher gave that service. */
  const sessionAs = async (service: string, database: string) => {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: (await runState()).pgPort,
      user: service,
      password: (await secrets()).roles[service],
      database,
    })
    await client.connect()
    return client
  }

  it('when the system is up, then secrets.json is 0600 and the data dir, its logs and its mail are the launcher user’s', async () => {
    expect((await stat(join(dataDir, 'secrets.json'))).mode & 0o777).toBe(0o600)
    // as root, PostgreSQL runs as its own user, which must pass through to its pg/ by its group
    const dir = await stat(dataDir)
    expect(dir.mode & 0o777).toBe(getuid?.() === 0 ? 0o710 : 0o700)
    for (const sub of ['logs', 'mail']) expect((await stat(join(dataDir, sub))).mode & 0o777).toBe(0o700)
  })

  it('when a service appends to the bus an event type another service owns, or registers as another, then the database refuses it', async () => {
    const cart = await sessionAs('cart', 'bus')
    try {
      const forged = (type: string, source: string) =>
        cart.query(
          `insert into bus_events (seq, partition, id, type, source, subject, time, datacontenttype, data)
           values (nextval('bus_event_seq'), 0, gen_random_uuid()::text, $1, $2, 'victim-order', now()::text,
                   'application/protobuf', '')`,
          [type, source],
        )
      await expect(forged(events.PaymentSucceeded.type, '/microshop/payments')).rejects.toThrow(
        /row-level security/,
      )
      await expect(forged(events.PaymentSucceeded.type, '/microshop/cart')).rejects.toThrow(
        /row-level security/,
      )
      // its share of the log: it reads it
      expect((await cart.query('select 1 from bus_events limit 1')).rowCount).toBe(1)
    } finally {
      await cart.end()
    }
    const registry = await sessionAs('cart', 'bus')
    try {
      await expect(
        registry.query(
          `insert into service_instances (instance_id, service, host, grpc_port, pid)
           values ('identity-evil', 'identity', '127.0.0.1', 1, 1)`,
        ),
      ).rejects.toThrow(/row-level security/)
      const hijack = await registry.query(
        "update service_instances set grpc_port = 1 where service = 'identity' returning 1",
      )
      expect(hijack.rowCount).toBe(0)
    } finally {
      await registry.end()
    }
    // nor is a service's role let into another service's database
    await expect(sessionAs('cart', 'orders')).rejects.toThrow(/permission denied/)
  })

  it("when a PaymentSucceeded reaches the log past its row-level security (the bus's owner), unsigned or signed by catalog, then orders dead-letters it before its saga sees it", async () => {
    const { superuser } = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as {
      superuser: string
    }
    const bus = await openEventBus(
      `postgres://postgres:${encodeURIComponent(superuser)}@127.0.0.1:${(await runState()).pgPort}/bus`,
      { log: silentLogger },
    )
    try {
      const forged = { orderId: 'victim-order', paymentId: 'p-evil', amount: { amount: 1, currency: 'USD' } }
      const unsigned = await publishEvent(bus, events.PaymentSucceeded, forged)
      const byCatalog = await publishEvent(bus, events.PaymentSucceeded, forged, {
        sign: createEventSigner(await certificateOf('catalog')),
      })
      const letters = await waitFor(async () => {
        const mine = (await bus.deadLetters('orders-saga')).filter((l) =>
          [unsigned.id, byCatalog.id].includes(l.event.id),
        )
        return mine.length === 2 ? mine : undefined
      })
      expect(Object.fromEntries(letters.map((l) => [l.event.id, l.error]))).toEqual({
        [unsigned.id]: expect.stringMatching(/EVENT_SIGNATURE_REFUSED: .*unsigned/),
        [byCatalog.id]: expect.stringMatching(/EVENT_SIGNATURE_REFUSED: .*signer not owner/),
      })
      // the saga never saw them: orders' inbox has neither id
      const orders = await sessionAs('orders', 'orders')
      try {
        const { rowCount } = await orders.query(
          'select 1 from event_inbox where event_id = any($1::text[])',
          [[unsigned.id, byCatalog.id]],
        )
        expect(rowCount).toBe(0)
      } finally {
        await orders.end()
      }
    } finally {
      await bus.close()
    }
  })

  it("when a service runs, then its environment holds its own credentials only: no other role's password, no other service's key, nothing else of the launcher's", async () => {
    const { roles, keys } = await secrets()
    const { instances } = await runState()
    expect(instances.length).toBeGreaterThanOrEqual(SERVICES.length)
    for (const { service, pid } of instances) {
      const environ = await readFile(`/proc/${pid}/environ`, 'utf8')
      const env = Object.fromEntries(
        environ
          .split('\0')
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      )
      const others = Object.entries(roles).filter(([role]) => role !== service)
      for (const [role, password] of others)
        expect(environ.includes(encodeURIComponent(password)), `${service} holds ${role}'s password`).toBe(
          false,
        )
      expect(environ.includes(keys.ordersFingerprint ?? '-'), `${service} holds the fingerprint key`).toBe(
        service === 'orders',
      )
      expect(
        environ.includes(keys.identityKeyEncryption ?? '-'),
        `${service} holds the key-encryption key`,
      ).toBe(service === 'identity')
      expect(env.SHELL_SECRET_CANARY).toBeUndefined()
      expect(env.PAYMENTS_SWEEP_GRACE_MS).toBe(service === 'payments' ? '60001' : undefined)
      for (const url of [env.REGISTRY_URL, env.BUS_URL, env.DATABASE_URL].filter(Boolean))
        expect(new URL(url as string).username).toBe(service)
      expect(env.SMTP_URL === undefined).toBe(service !== 'notifications')
      // the registry's table is in the bus's database: one URL, so one pool serves both
      if (env.BUS_URL?.startsWith('postgres')) expect(env.REGISTRY_URL).toBe(env.BUS_URL)
      // the embedded PostgreSQL is shared by all: smaller pools than the chassis's default
      expect(env.DATABASE_POOL_MAX).toBe(env.DATABASE_URL ? LOCAL_POOL_MAX : undefined)
    }
  })
})
