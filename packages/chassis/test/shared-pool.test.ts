import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { silentLogger } from '../../../test-support/grpc.js'
import { createRegistryDiscovery } from '../src/discovery.js'
import { openEventBus } from '../src/events/open-event-bus.js'
import { acquirePool } from '../src/shared-pool.js'
import { waitFor } from '../src/testing.js'

describe('a pool shared by URL', () => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await createTestDatabase('shared_pool')
  })
  afterEach(async () => {
    await db.drop()
  })

  it('when two parts acquire the same URL, then they get one pool, ended only by the last release', async () => {
    const first = acquirePool(db.url, { max: 2 }, () => undefined)
    const second = acquirePool(db.url, { max: 2 }, () => undefined)
    expect(second.pool).toBe(first.pool)
    await first.release()
    await first.release() // a second release of the same share changes nothing
    expect((await second.pool.query('select 1 as one')).rows[0].one).toBe(1)
    await second.release()
    await expect(second.pool.query('select 1')).rejects.toThrow(/end/i)
    // a later acquire after the last release gets a new pool
    const third = acquirePool(db.url, { max: 1 }, () => undefined)
    expect(third.pool).not.toBe(first.pool)
    await third.release()
  })

  it('when an idle shared connection fails, then its failure is told once, to the first user', async () => {
    const heard: string[] = []
    const first = acquirePool(db.url, { max: 1 }, () => heard.push('first'))
    const second = acquirePool(db.url, { max: 1 }, () => heard.push('second'))
    const admin = new pg.Client({ connectionString: db.url })
    await admin.connect()
    try {
      const { rows } = await first.pool.query<{ pid: number }>('select pg_backend_pid() as pid')
      await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid])
      await waitFor(() => heard.length > 0, { what: 'the idle connection failed' })
      // every listener of one failure hears it in the same turn: a second one would be here already
      expect(heard).toEqual(['first'])
    } finally {
      await admin.end()
      await first.release()
      await second.release()
    }
  })

  it('when the registry lives in the bus database, then heartbeats use the bus connections and outlive the bus', async () => {
    const admin = new pg.Pool({ connectionString: db.url, max: 1 })
    admin.on('error', () => undefined)
    const bus = await openEventBus(db.url, { log: silentLogger, name: 'shared-pool-test' })
    const discovery = createRegistryDiscovery(db.url, silentLogger)
    try {
      await discovery.register({
        instanceId: 'catalog-1',
        service: 'catalog',
        host: '127.0.0.1',
        grpcPort: 7001,
        httpPort: 7002,
        publicPort: null,
        pid: process.pid,
      })
      // one process, one database, one role: the registry's statements ran on the bus's named connections
      const { rows } = await admin.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and application_name <> 'shared-pool-test'`,
      )
      expect(rows[0]!.n).toBe(0)
      await bus.close()
      expect(await discovery.resolve('catalog')).toEqual(['127.0.0.1:7001'])
    } finally {
      await discovery.close()
      await bus.close().catch(() => undefined)
      await admin.end()
    }
  })
})
