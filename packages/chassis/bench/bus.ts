import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import pg from 'pg'
import startEmbeddedPostgres from '../../../test-support/global-setup.js'
import type { Db } from '../src/index.js'
import {
  createDb,
  createLogger,
  createOutbox,
  type EventBus,
  ensureEventTables,
  type NewEvent,
  openEventBus,
  startOutboxRelay,
} from '../src/internal.js'

// npm run bench:bus — per adapter: events/s and commit-to-handled latency through outbox, relay, log and
// consumer, beside the raw JetStream publish rate measured in the same run as the ceiling. Not a test.
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000)
const PACED_EVENTS = 2_000
const PACED_RATE = 500
const WRITERS = 8
const PER_TX = 20
const SUBJECTS = 500
const DEADLINE_MS = 45_000
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
const payload = randomBytes(100)
const log = createLogger({ service: 'bench', instance: 'bench', level: 'warn' })

interface Figures {
  eventsPerSecond: number
  p50: number
  p99: number
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!

/** Raw JetStream: pipelined js.publish of EVENTS messages of the same size, 256 in flight. */
async function rawJetStreamRate(): Promise<number> {
  const url = new URL(NATS_URL)
  const nc = await connect({ servers: `${url.hostname}:${url.port || 4222}` })
  const jsm = await jetstreamManager(nc)
  const js = jetstream(nc)
  const stream = `BENCH_RAW_${randomBytes(4).toString('hex').toUpperCase()}`
  await jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`] })
  try {
    const start = performance.now()
    let next = 0
    await Promise.all(
      Array.from({ length: 256 }, async () => {
        for (let i = next++; i < EVENTS; i = next++)
          await js.publish(`${stream.toLowerCase()}.s${i % SUBJECTS}`, payload, { msgID: `m${i}` })
      }),
    )
    return EVENTS / ((performance.now() - start) / 1_000)
  } finally {
    await jsm.streams.delete(stream)
    await nc.close()
  }
}

const event = (i: number): NewEvent => ({
  type: 'bench.Measured.v1',
  subject: `s${i % SUBJECTS}`,
  data: payload,
})

/** Writers commit transactions of PER_TX events to the outbox; the relay and one consumer group do the rest. */
async function throughOutbox(bus: EventBus, db: Db, count: number, ratePerSecond?: number): Promise<Figures> {
  const outbox = createOutbox({ service: 'bench' })
  const committedAt = new Map<string, number>()
  const handledAt = new Map<string, number>()
  let done: () => void = () => undefined
  const allHandled = new Promise<void>((resolve) => {
    done = resolve
  })
  const group = `bench-${randomBytes(3).toString('hex')}`
  const subscription = await bus.subscribe(
    group,
    ['bench.Measured.v1'],
    async (e) => {
      handledAt.set(e.id, performance.now())
      if (handledAt.size === count) done()
    },
    { concurrency: 32, startAt: 'latest' },
  )
  const relay = startOutboxRelay({ db, bus, log, batchSize: 500 })
  const start = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < count) {
        const first = next
        next += PER_TX
        if (ratePerSecond) {
          const due = start + (first / ratePerSecond) * 1_000
          if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()))
        }
        const events = Array.from({ length: Math.min(PER_TX, count - first) }, (_, k) => ({
          ...event(first + k),
          id: `${group}-${first + k}`,
        }))
        await db.tx((tx) => outbox.append(tx, events))
        const now = performance.now()
        for (const e of events) committedAt.set(e.id!, now)
      }
    }),
  )
  const timeout = new Promise<void>((_, reject) =>
    setTimeout(() => reject(new Error(`not all handled within ${DEADLINE_MS} ms`)), DEADLINE_MS).unref(),
  )
  await Promise.race([allHandled, timeout])
  const end = performance.now()
  await relay.stop()
  await subscription.stop()
  const latencies = [...handledAt].map(([id, at]) => at - committedAt.get(id)!).sort((a, b) => a - b)
  return {
    eventsPerSecond: count / ((end - start) / 1_000),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  }
}

async function benchAdapter(busUrl: string, serviceUrl: string) {
  const bus = await openEventBus(busUrl, { log })
  const db = createDb(serviceUrl, { max: WRITERS + 2 })
  try {
    await ensureEventTables(db)
    const saturated = await throughOutbox(bus, db, EVENTS)
    const paced = await throughOutbox(bus, db, PACED_EVENTS, PACED_RATE)
    return { saturated, paced }
  } finally {
    await bus.close()
    await db.close()
  }
}

async function main() {
  const started = performance.now()
  let stopPostgres: (() => Promise<void>) | undefined
  let adminUrl = process.env.BENCH_DATABASE_URL
  if (!adminUrl) {
    const provided: Record<string, string> = {}
    const teardown = await startEmbeddedPostgres({
      provide: (key: string, value: string) => {
        provided[key] = value
      },
    } as unknown as Parameters<typeof startEmbeddedPostgres>[0])
    stopPostgres = teardown
    adminUrl = provided.pgAdminUrl!
  }
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  const databases: string[] = []
  const newDatabase = async (prefix: string) => {
    const name = `${prefix}_${randomBytes(4).toString('hex')}`
    await admin.query(`create database ${name}`)
    databases.push(name)
    const url = new URL(adminUrl!)
    url.pathname = `/${name}`
    return url.toString()
  }
  const rows: string[] = []
  const line = (label: string, f: Figures, ceiling?: number) =>
    rows.push(
      `${label.padEnd(34)} ${Math.round(f.eventsPerSecond).toString().padStart(8)} ev/s   p50 ${f.p50
        .toFixed(1)
        .padStart(6)} ms   p99 ${f.p99.toFixed(1).padStart(7)} ms${
        ceiling ? `   ${((100 * f.eventsPerSecond) / ceiling).toFixed(1).padStart(5)} % of raw` : ''
      }`,
    )
  try {
    let ceiling: number | undefined
    try {
      ceiling = await rawJetStreamRate()
      rows.push(
        `${'raw JetStream publish (ceiling)'.padEnd(34)} ${Math.round(ceiling).toString().padStart(8)} msg/s`,
      )
    } catch (err) {
      rows.push(`raw JetStream publish: unavailable at ${NATS_URL} (${(err as Error).message})`)
    }
    const pgResult = await benchAdapter(await newDatabase('bench_bus'), await newDatabase('bench_service'))
    line('postgres: outbox → handled', pgResult.saturated, ceiling)
    line(`postgres: paced ${PACED_RATE} ev/s`, pgResult.paced)
    if (ceiling) {
      const url = new URL(NATS_URL)
      url.searchParams.set('namespace', `bench${randomBytes(3).toString('hex')}`)
      const natsResult = await benchAdapter(url.toString(), await newDatabase('bench_service'))
      line('nats: outbox → handled', natsResult.saturated, ceiling)
      line(`nats: paced ${PACED_RATE} ev/s`, natsResult.paced)
      await deleteStreams(url)
    }
  } finally {
    for (const name of databases) await admin.query(`drop database if exists ${name} with (force)`)
    await admin.end()
    await stopPostgres?.()
  }
  process.stdout.write(
    [
      `bus benchmark: ${EVENTS} events (${SUBJECTS} subjects, ${WRITERS} writers × ${PER_TX} events a transaction), ` +
        `then ${PACED_EVENTS} paced; latency = outbox commit → handler, one consumer group, concurrency 32`,
      ...rows,
      `took ${((performance.now() - started) / 1_000).toFixed(1)} s`,
      '',
    ].join('\n'),
  )
}

async function deleteStreams(url: URL) {
  const nc = await connect({ servers: `${url.hostname}:${url.port || 4222}` })
  const jsm = await jetstreamManager(nc)
  const ns = url.searchParams.get('namespace')!.toUpperCase()
  for (const suffix of ['EVENTS', 'DEAD_LETTERS', 'REDRIVE', 'ATTEMPTS'])
    await jsm.streams.delete(`${ns}_${suffix}`).catch(() => false)
  await nc.close()
}

await main()
