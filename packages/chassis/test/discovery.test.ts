import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { silentLogger } from '../../../test-support/grpc.js'
import { createServiceRole, type TestRole } from '../../../test-support/roles.js'
import {
  createDnsDiscovery,
  createRegistryDiscovery,
  type Discovery,
  type Instance,
  listInstances,
  TTL_SECONDS,
} from '../src/discovery.js'
import { secureRegistry } from '../src/internal.js'
import { waitFor } from '../src/testing.js'

/**
 * A pool for the test's own statements. pool.end() resolves before its sockets have closed, so dropping the
 * database right after can terminate a backend that is still closing: its 57P01 must not be an uncaught error.
 */
const quietPool = (url: string, max: number) => {
  const pool = new pg.Pool({ connectionString: url, max })
  pool.on('error', () => undefined)
  return pool
}

const instance = (instanceId: string, grpcPort: number | null, service = 'catalog'): Instance => ({
  instanceId,
  service,
  host: '127.0.0.1',
  grpcPort,
  httpPort: grpcPort === null ? null : grpcPort + 1,
  publicPort: null,
  pid: process.pid,
})

describe('registry discovery', () => {
  let registry: TestDatabase
  let admin: pg.Pool
  let opened: Discovery[] = []
  /** A fresh Discovery, so nothing is answered from another one's cache. */
  const open = () => {
    const d = createRegistryDiscovery(registry.url, silentLogger)
    opened.push(d)
    return d
  }
  const lastSeenAge = async (instanceId: string) => {
    const { rows } = await admin.query<{ age: number }>(
      'select extract(epoch from now() - last_seen)::float8 as age from service_instances where instance_id = $1',
      [instanceId],
    )
    return rows[0]?.age
  }

  beforeEach(async () => {
    registry = await createTestDatabase('registry')
    admin = quietPool(registry.url, 2)
  })
  afterEach(async () => {
    for (const d of opened) await d.close()
    opened = []
    await admin.end()
    await registry.drop()
  })
  it('when nothing ever registered, then resolving answers no targets (the registry table is created)', async () => {
    expect(await open().resolve('catalog')).toEqual([])
  })

  it('when an instance registers, then resolving its service returns its gRPC target', async () => {
    await open().register(instance('catalog-1', 5001))
    expect(await open().resolve('catalog')).toEqual(['127.0.0.1:5001'])
    expect(await open().resolve('orders')).toEqual([])
  })

  it('when several instances of several services register, then each service resolves to its own', async () => {
    await Promise.all([
      open().register(instance('catalog-1', 5001)),
      open().register(instance('catalog-2', 5002)),
      open().register(instance('orders-1', 6001, 'orders')),
      open().register(instance('gateway-1', null, 'gateway')),
    ])
    const resolver = open()
    expect((await resolver.resolve('catalog')).sort()).toEqual(['127.0.0.1:5001', '127.0.0.1:5002'])
    expect(await resolver.resolve('orders')).toEqual(['127.0.0.1:6001'])
    // listed, but without a gRPC port there is nothing to call
    expect(await resolver.resolve('gateway')).toEqual([])
    expect((await listInstances(admin)).map((i) => i.instanceId)).toEqual([
      'catalog-1',
      'catalog-2',
      'gateway-1',
      'orders-1',
    ])
    expect(await listInstances(admin, 'orders')).toEqual([instance('orders-1', 6001, 'orders')])
  })

  it('when many replicas register at once on a fresh registry, then every one succeeds', async () => {
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => open().register(instance(`catalog-${i}`, 5000 + i))),
    )
    expect(await open().resolve('catalog')).toHaveLength(6)
  })

  it('when an instance deregisters, then it is no longer resolved', async () => {
    const one = open()
    await one.register(instance('catalog-1', 5001))
    await open().register(instance('catalog-2', 5002))
    await one.deregister()
    expect(await open().resolve('catalog')).toEqual(['127.0.0.1:5002'])
  })

  it('when an instance falls silent past the TTL, then it is no longer resolved', async () => {
    const silent = open()
    await silent.register(instance('catalog-silent', 5001))
    await open().register(instance('catalog-alive', 5002))
    await open().register(instance('catalog-late', 5003))
    // close() stops the heartbeat without deregistering, as a killed process would
    await silent.close()
    opened = opened.filter((d) => d !== silent)
    await admin.query(
      `update service_instances set last_seen = now() - make_interval(secs => $1) where instance_id = 'catalog-silent'`,
      [TTL_SECONDS + 1],
    )
    await admin.query(
      `update service_instances set last_seen = now() - make_interval(secs => $1) where instance_id = 'catalog-late'`,
      [TTL_SECONDS - 3],
    )
    expect((await open().resolve('catalog')).sort()).toEqual(['127.0.0.1:5002', '127.0.0.1:5003'])
    expect((await listInstances(admin, 'catalog')).map((i) => i.instanceId)).toEqual([
      'catalog-alive',
      'catalog-late',
    ])
  })

  it('when an instance keeps running, then its heartbeat keeps it fresh', async () => {
    await open().register(instance('catalog-1', 5001))
    await admin.query(`update service_instances set last_seen = now() - interval '8 seconds'`)
    expect(await lastSeenAge('catalog-1')).toBeGreaterThan(7)
    // the next heartbeat is the witness: last_seen moves back to now
    await waitFor(async () => ((await lastSeenAge('catalog-1')) ?? Number.POSITIVE_INFINITY) < 7, {
      what: 'a heartbeat refreshed last_seen',
    })
  })

  it('when answers are cached, then invalidate makes the next resolve see the registry again', async () => {
    const resolver = open()
    await open().register(instance('catalog-1', 5001))
    expect(await resolver.resolve('catalog')).toEqual(['127.0.0.1:5001'])
    await open().register(instance('catalog-2', 5002))
    resolver.invalidate('catalog')
    expect((await resolver.resolve('catalog')).sort()).toEqual(['127.0.0.1:5001', '127.0.0.1:5002'])
  })

  it('when the registry is unreachable, then resolving fails rather than answering nothing', async () => {
    const resolver = open()
    await registry.drop()
    await expect(resolver.resolve('catalog')).rejects.toThrow()
    registry = await createTestDatabase('registry')
  })
})

describe('the registry with a role per service', () => {
  it('when a service role registers as another service, then the database refuses it; as itself it registers and discovers the others', async () => {
    const registry = await createTestDatabase('registry_roles')
    const admin = quietPool(registry.url, 1)
    const opened: Discovery[] = []
    const as = (role: TestRole) => {
      const d = createRegistryDiscovery(role.urlOf(registry), silentLogger)
      opened.push(d)
      return d
    }
    try {
      const [orders, identity] = await Promise.all([
        createServiceRole('orders', [registry]),
        createServiceRole('identity', [registry]),
      ])
      await secureRegistry(admin, [orders, identity])
      await as(identity).register(instance('identity-1', 6001, 'identity'))

      await expect(as(orders).register(instance('orders-fake', 6002, 'identity'))).rejects.toThrow(
        /row-level security/,
      )
      // nor by taking over the row of identity's instance
      await expect(as(orders).register(instance('identity-1', 6003, 'orders'))).rejects.toThrow(
        /row-level security/,
      )
      await as(orders).register(instance('orders-1', 6004, 'orders'))
      expect(await as(orders).resolve('identity')).toEqual(['127.0.0.1:6001'])
      const ordersSql = quietPool(orders.urlOf(registry), 1)
      try {
        expect((await ordersSql.query('delete from service_instances')).rowCount).toBe(1)
      } finally {
        await ordersSql.end()
      }
      expect(await as(orders).resolve('identity')).toEqual(['127.0.0.1:6001'])
    } finally {
      for (const d of opened) await d.close()
      await admin.end()
      await registry.drop()
    }
  })
})

describe('DNS discovery', () => {
  it('when no override is set, then a service resolves to its Kubernetes DNS name', async () => {
    expect(await createDnsDiscovery({}).resolve('catalog')).toEqual(['dns:///catalog:50051'])
  })

  it('when <SERVICE>_GRPC_ADDR is set, then it wins, dashes read as underscores', async () => {
    const env = { CATALOG_GRPC_ADDR: '10.0.0.7:7000', FRAUD_CHECK_GRPC_ADDR: 'dns:///fraud:9000' }
    expect(await createDnsDiscovery(env).resolve('catalog')).toEqual(['10.0.0.7:7000'])
    expect(await createDnsDiscovery(env).resolve('fraud-check')).toEqual(['dns:///fraud:9000'])
  })
})
