import { randomBytes } from 'node:crypto'
import { createTestDatabase, type TestDatabase } from '../../../../../test-support/db.js'
import { silentLogger } from '../../../../../test-support/grpc.js'
import type { Db } from '../../../src/index.js'
import { createDb, type EventBus, ensureEventTables, openEventBus } from '../../../src/internal.js'

/** How the contract suite gets fresh event logs of one adapter, and cleans up after itself. */
export interface BusHarness {
  readonly name: 'postgres' | 'nats'
  /** The URL of a new, empty event log. */
  newBusUrl(): Promise<string>
  cleanup(): Promise<void>
}

export function postgresHarness(): BusHarness {
  const databases: TestDatabase[] = []
  return {
    name: 'postgres',
    async newBusUrl() {
      const database = await createTestDatabase('bus')
      databases.push(database)
      return database.url
    },
    async cleanup() {
      await Promise.all(databases.splice(0).map((d) => d.drop()))
    },
  }
}

export function natsHarness(natsUrl: string): BusHarness {
  const namespaces: string[] = []
  return {
    name: 'nats',
    async newBusUrl() {
      const namespace = `t${randomBytes(5).toString('hex')}`
      namespaces.push(namespace)
      const url = new URL(natsUrl)
      url.searchParams.set('namespace', namespace)
      return url.toString()
    },
    async cleanup() {
      if (namespaces.length === 0) return
      // loaded here, not at the top: the postgres suite shares this file and must not need the NATS client
      const { connect } = await import('@nats-io/transport-node')
      const { jetstreamManager } = await import('@nats-io/jetstream')
      const url = new URL(natsUrl)
      const nc = await connect({ servers: `${url.hostname}:${url.port || 4222}` })
      const jsm = await jetstreamManager(nc)
      for (const ns of namespaces.splice(0))
        for (const suffix of ['EVENTS', 'DEAD_LETTERS', 'REDRIVE', 'ATTEMPTS'])
          await jsm.streams.delete(`${ns.toUpperCase()}_${suffix}`).catch(() => undefined)
      await nc.close()
    },
  }
}

/** One test's world: an event log, a service database with the event tables, and what to close after. */
export interface World {
  busUrl: string
  serviceDb: Db
  serviceDbUrl: string
  /** Opens the log as another process would: its own connections. */
  openBus(): Promise<EventBus>
  close(): Promise<void>
}

export async function createWorld(harness: BusHarness): Promise<World> {
  const busUrl = await harness.newBusUrl()
  const database = await createTestDatabase('service')
  const serviceDb = createDb(database.url, { max: 8 })
  await ensureEventTables(serviceDb)
  await serviceDb.query('create table effects (event_id text not null, handler text not null)')
  const buses: EventBus[] = []
  return {
    busUrl,
    serviceDb,
    serviceDbUrl: database.url,
    async openBus() {
      const bus = await openEventBus(busUrl, { log: silentLogger, rebalanceMs: 100, pollMs: 500 })
      buses.push(bus)
      return bus
    },
    async close() {
      await Promise.all(buses.splice(0).map((b) => b.close()))
      await serviceDb.close()
      await database.drop()
    },
  }
}
