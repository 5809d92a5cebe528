import { X509Certificate } from 'node:crypto'
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import { createServiceClient, type ServiceDefinition } from '@microshop/chassis/internal'
import { silentLogger, staticDiscovery } from '@microshop/chassis/testing'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { FraudServiceService } from '@microshop/contracts/fraud/v1/fraud'
import { InventoryServiceService } from '@microshop/contracts/inventory/v1/inventory'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
  launcher = await launch(dataDir, port, { env: { LOG_LEVEL: 'warn', GRPC_INSECURE: 'true' } })
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
