import { events } from '@microshop/contracts/events'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { testTls, testTlsDir } from '../../../test-support/tls.js'
import {
  busSettings,
  ConfigError,
  databaseSettings,
  defineService,
  eventOf,
  readConfig,
} from '../src/index.js'
import {
  createEventSigner,
  type EventSigner,
  eventSource,
  openEventBus,
  toCloudEvent,
  toNewEvent,
} from '../src/internal.js'
import { publishEvent, silentLogger, waitFor } from '../src/testing.js'
import { natsHarness } from './events/support/harness.js'
import { serviceModule } from './service-module.js'

// A service of this test's own, defined the way every service is, on real databases.
let serviceDb: TestDatabase
let busDb: TestDatabase
let moduleUrl: string
const natsUrl = process.env.NATS_URL

const settings = { ...databaseSettings, ...busSettings }
const envOf = (instance: string, extra: Record<string, string> = {}) => ({
  INSTANCE_ID: instance,
  DATABASE_URL: serviceDb.url,
  BUS_URL: busDb.url,
  HOST: '127.0.0.1',
  GRPC_PORT: '0',
  GRPC_INSECURE: 'true',
  HTTP_PORT: '0',
  LOG_LEVEL: 'silent',
  ...extra,
})
const loadConfig = (env: Record<string, string | undefined>) => readConfig('orders', settings, env)

/** The sessions an instance holds open on a database, by the application_name the chassis gives them. */
async function sessionsOf(url: string, instance: string): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where application_name = $1 and datname = current_database()`,
      [instance],
    )
    return rows[0]!.n
  } finally {
    await client.end()
  }
}

beforeAll(async () => {
  ;[serviceDb, busDb] = await Promise.all([createTestDatabase('svc'), createTestDatabase('svc_bus')])
  moduleUrl = await serviceModule('service')
})
afterAll(async () => {
  await Promise.all([serviceDb?.drop(), busDb?.drop()])
})

describe('defineService', () => {
  it('when setup fails, then start rejects with its error and every connection it opened is closed', async () => {
    const start = defineService({
      name: 'orders',
      module: moduleUrl,
      config: loadConfig,
      database: true,
      events: true,
      setup: () => {
        throw new Error('setup broke')
      },
    })
    await expect(start(envOf('failing-setup'), { handleSignals: false })).rejects.toThrow('setup broke')
    expect(await sessionsOf(serviceDb.url, 'failing-setup')).toBe(0)
    expect(await sessionsOf(busDb.url, 'failing-setup')).toBe(0)
  })

  it('when a service declares no events, then it opens no bus and runs no relay', async () => {
    const start = defineService({
      name: 'fraud',
      module: moduleUrl,
      config: (env) => readConfig('fraud', { ...databaseSettings }, env),
      database: true,
      setup: (ctx) => {
        expect('events' in ctx).toBe(false)
        return {}
      },
    })
    const running = await start(envOf('no-events'), { handleSignals: false })
    try {
      expect(await sessionsOf(serviceDb.url, 'no-events')).toBeGreaterThan(0)
      expect(await sessionsOf(busDb.url, 'no-events')).toBe(0)
    } finally {
      await running.stop()
    }
    expect(await sessionsOf(serviceDb.url, 'no-events')).toBe(0)
  })

  it('when a service with events starts without BUS_URL, then it refuses, naming the variable', async () => {
    const start = defineService({
      name: 'orders',
      module: moduleUrl,
      config: (env) => readConfig('orders', { ...databaseSettings }, env) as never,
      database: true,
      events: true,
      setup: () => ({}),
    })
    const { BUS_URL: _, ...withoutBus } = envOf('no-bus')
    const failure = await start(withoutBus, { handleSignals: false }).catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(ConfigError)
    expect((failure as Error).message).toMatch(/BUS_URL/)
  })

  it("when a service emits another service's event, then it is refused; its own goes out through the outbox", async () => {
    let emitted: Promise<unknown> | undefined
    const start = defineService({
      name: 'orders',
      module: moduleUrl,
      config: loadConfig,
      database: true,
      events: true,
      setup: ({ db, events: own }) => {
        emitted = (async () => {
          await expect(
            db.tx((tx) =>
              own.emit(tx, events.PaymentSucceeded, { orderId: 'o-1', paymentId: 'p-1', amount: undefined }),
            ),
          ).rejects.toThrow(/only payments/)
          await db.tx((tx) =>
            own.emit(tx, events.OrderDelivered, {
              orderId: 'o-1',
              userId: 'u-1',
              email: 'e@example.com',
              trackingNumber: 'T-1',
            }),
          )
        })()
        return {}
      },
    })
    const bus = await openEventBus(busDb.url, { log: silentLogger })
    const seen: Array<{ type: string; subject: string; source: string }> = []
    await bus.subscribe('svc-test-watch', [events.OrderDelivered, events.PaymentSucceeded], async (e) => {
      seen.push({ type: e.type, subject: e.subject, source: e.source })
    })
    const running = await start(envOf('emitter'), { handleSignals: false })
    try {
      await emitted
      await waitFor(() => seen.length > 0)
      expect(seen).toEqual([
        { type: events.OrderDelivered.type, subject: 'o-1', source: '/microshop/orders' },
      ])
    } finally {
      await running.stop()
      await bus.close()
    }
  })

  it('when a subscribed event arrives, then its handler gets the payload and the inbox transaction; a payload that does not decode goes to the dead letters at once', async () => {
    const handled: string[] = []
    const start = defineService({
      name: 'payments',
      module: moduleUrl,
      config: loadConfig,
      database: true,
      events: true,
      async setup({ events: own }) {
        await own.subscribe('svc-test-orders', {
          async OrderCancelled(cancelled, { tx, event }) {
            await tx.query('insert into notes (id) values ($1)', [event.id])
            handled.push(cancelled.reason)
          },
        })
        return {}
      },
    })
    const running = await start(envOf('subscriber'), { handleSignals: false })
    const bus = await openEventBus(busDb.url, { log: silentLogger })
    try {
      const cancelled = await publishEvent(bus, events.OrderCancelled, {
        orderId: 'o-2',
        userId: 'u-2',
        email: '',
        reason: 'customer_cancelled',
        previousStatus: 0,
      })
      await waitFor(() => handled.length > 0)
      expect(handled).toEqual(['customer_cancelled'])
      const { rows } = await running.db!.query('select id from notes where id = $1', [cancelled.id])
      expect(rows).toHaveLength(1)

      const garbage = {
        ...cancelled,
        id: 'not-protobuf',
        data: new Uint8Array([0xff, 0xff, 0xff, 0xff]),
      }
      await bus.publish([garbage])
      const [letter] = await waitFor(async () => {
        const letters = await bus.deadLetters('svc-test-orders')
        return letters.length > 0 ? letters : undefined
      })
      expect(letter).toMatchObject({ attempts: 1, event: { id: 'not-protobuf' } })
      expect(letter!.error).toMatch(/EVENT_MALFORMED/)
    } finally {
      await bus.close()
      await running.stop()
    }
  })

  it('when an event comes from a source that is not the owner of its type, then it is dead-lettered at once, counted, and its handler never runs', async () => {
    const handled: string[] = []
    const start = defineService({
      name: 'payments',
      module: moduleUrl,
      config: loadConfig,
      database: true,
      events: true,
      async setup({ events: own }) {
        await own.subscribe('svc-test-forged', {
          // the group starts at the beginning of a log other tests share: this test's order only
          async OrderCancelled(cancelled, { event }) {
            if (cancelled.orderId === 'o-forged') handled.push(event.id)
          },
        })
        return {}
      },
    })
    const running = await start(envOf('forged-subscriber'), { handleSignals: false })
    const bus = await openEventBus(busDb.url, { log: silentLogger })
    const cancellation = {
      orderId: 'o-forged',
      userId: 'u-3',
      email: '',
      reason: 'customer_cancelled',
      previousStatus: 0,
    }
    try {
      const genuine = await publishEvent(bus, events.OrderCancelled, cancellation)
      const forged = { ...genuine, id: 'forged-cancel', source: '/microshop/cart' }
      await bus.publish([forged])
      // the witness: a genuine event of the same subject, handled in order after the forged one
      const after = await publishEvent(bus, events.OrderCancelled, cancellation, { id: 'after-forged' })
      await waitFor(() => handled.includes(after.id))
      expect(handled).toEqual([genuine.id, after.id])
      const letters = (await bus.deadLetters('svc-test-forged')).filter((l) => l.event.subject === 'o-forged')
      expect(letters).toHaveLength(1)
      expect(letters[0]).toMatchObject({
        attempts: 1,
        event: { id: 'forged-cancel', source: '/microshop/cart' },
      })
      expect(letters[0]!.error).toMatch(/EVENT_SOURCE_NOT_OWNER/)
      const metrics = await (await fetch(`http://127.0.0.1:${running.httpPort}/metrics`)).text()
      expect(metrics).toMatch(
        /microshop_events_rejected_total\{[^}]*messaging_consumer_group_name="svc-test-forged"[^}]*reason="source_not_owner"[^}]*\} 1/,
      )
    } finally {
      await bus.close()
      await running.stop()
    }
  })

  it.skipIf(!natsUrl)(
    "when TLS is configured and events travel on NATS, then one unsigned, signed by another service, by another CA or altered is dead-lettered at once and counted; the owner's, signed in its outbox, is handled",
    async () => {
      const nats = natsHarness(natsUrl!)
      const natsBus = await nats.newBusUrl()
      const paymentsDb = await createTestDatabase('svc_signer')
      const secured = async (service: string) => ({
        BUS_URL: natsBus,
        GRPC_INSECURE: 'false',
        TLS_DIR: await testTlsDir(service),
      })
      let pay: ((orderId: string) => Promise<void>) | undefined
      const payments = await defineService({
        name: 'payments',
        module: moduleUrl,
        config: loadConfig,
        database: true,
        events: true,
        setup({ db, events: own }) {
          pay = (orderId) =>
            db.tx((tx) =>
              own.emit(tx, events.PaymentSucceeded, {
                orderId,
                paymentId: 'p-1',
                amount: { amount: 100, currency: 'USD' },
              }),
            )
          return {}
        },
      })(
        { ...envOf('signing-payments', await secured('payments')), DATABASE_URL: paymentsDb.url },
        { handleSignals: false },
      )
      const handled: string[] = []
      const orders = await defineService({
        name: 'orders',
        module: moduleUrl,
        config: loadConfig,
        database: true,
        events: true,
        async setup({ events: own }) {
          await own.subscribe('orders-signed', {
            async PaymentSucceeded(_, { event }) {
              handled.push(event.id)
            },
          })
          return {}
        },
      })(envOf('verifying-orders', await secured('orders')), { handleSignals: false })
      const attacker = await openEventBus(natsBus, { log: silentLogger })
      try {
        const forged = { orderId: 'o-signed', paymentId: 'p-evil', amount: { amount: 1, currency: 'USD' } }
        const publish = (id: string, sign?: EventSigner) =>
          publishEvent(attacker, events.PaymentSucceeded, forged, { id, ...(sign ? { sign } : {}) })
        await publish('unsigned')
        await publish('signed-by-catalog', createEventSigner(await testTls('catalog')))
        await publish(
          'signed-by-another-ca',
          createEventSigner(await testTls('payments', { untrusted: true })),
        )
        // a genuine signature over other bytes: the payment's amount raised after signing
        const genuine = createEventSigner(await testTls('payments'))(
          toCloudEvent(eventSource('payments'), toNewEvent(eventOf(events.PaymentSucceeded, forged))),
        )
        await attacker.publish([{ ...genuine, id: 'altered', data: Uint8Array.from([...genuine.data, 0]) }])
        // the witness: the owner's event of the same subject, handled in order after the forged ones
        await pay!('o-signed')
        await waitFor(() => handled.length > 0)
        const letters = await waitFor(async () => {
          const all = await attacker.deadLetters('orders-signed')
          return all.length === 4 ? all : undefined
        })
        expect(handled).toHaveLength(1)
        expect(letters.map((l) => l.event.id).includes(handled[0]!)).toBe(false)
        const reasons = Object.fromEntries(letters.map((l) => [l.event.id, l.error]))
        expect(reasons).toEqual({
          unsigned: expect.stringMatching(/EVENT_SIGNATURE_REFUSED: .*unsigned/),
          'signed-by-catalog': expect.stringMatching(/EVENT_SIGNATURE_REFUSED: .*signer not owner/),
          'signed-by-another-ca': expect.stringMatching(/EVENT_SIGNATURE_REFUSED: .*signer untrusted/),
          altered: expect.stringMatching(/EVENT_SIGNATURE_REFUSED: .*signature invalid/),
        })
        expect(letters.every((l) => l.attempts === 1)).toBe(true)
        const metrics = await (await fetch(`http://127.0.0.1:${orders.httpPort}/metrics`)).text()
        for (const reason of ['unsigned', 'signer_not_owner', 'signer_untrusted', 'signature_invalid'])
          expect(metrics).toMatch(
            new RegExp(
              `microshop_events_rejected_total\\{[^}]*messaging_consumer_group_name="orders-signed"[^}]*reason="${reason}"[^}]*\\} 1`,
            ),
          )
      } finally {
        await attacker.close()
        await orders.stop()
        await payments.stop()
        await paymentsDb.drop()
        await nats.cleanup()
      }
    },
  )

  it('when the service stops, then its periodic work stops with it', async () => {
    let runs = 0
    let stoppedAt = -1
    const start = defineService({
      name: 'cart',
      module: moduleUrl,
      config: loadConfig,
      database: true,
      setup({ every }) {
        every({ name: 'count', intervalMs: 5, run: () => void runs++ })
        return {}
      },
    })
    const running = await start(envOf('timers'), { handleSignals: false })
    await waitFor(() => runs >= 2)
    await running.stop()
    stoppedAt = runs
    // the witness: a new timer started after the stop runs twice; the stopped one must not have moved meanwhile
    const { startTimer } = await import('../src/internal.js')
    let witness = 0
    const other = startTimer({ name: 'witness', intervalMs: 5, run: () => void witness++ }, silentLogger)
    await waitFor(() => witness >= 3)
    await other.stop()
    expect(runs).toBe(stoppedAt)
  })

  /** A service whose setup holds its readiness on `work`. */
  const readyAfterService = (work: Promise<unknown>) =>
    defineService({
      name: 'inventory',
      module: moduleUrl,
      config: loadConfig,
      database: true,
      setup({ readyAfter }) {
        readyAfter(work)
        return {}
      },
    })

  it('when setup hands start-up work to readyAfter, then /health/ready answers 503 until it is done, then 200', async () => {
    let finish: () => void = () => undefined
    const work = new Promise<void>((resolve) => {
      finish = resolve
    })
    const running = await readyAfterService(work)(envOf('ready-after'), { handleSignals: false })
    const readiness = async () => (await fetch(`http://127.0.0.1:${running.httpPort}/health/ready`)).status
    try {
      expect(await readiness()).toBe(503)
      finish()
      await running.whenReady
      expect(await readiness()).toBe(200)
    } finally {
      await running.stop()
    }
  })

  it('when the service stops before its readyAfter work is done, then whenReady resolves and it never said ready', async () => {
    const lines: string[] = []
    const running = await readyAfterService(new Promise(() => undefined))(
      envOf('never-ready', { LOG_LEVEL: 'info' }),
      {
        handleSignals: false,
        logDestination: { write: (line: string) => void lines.push(line) },
      },
    )
    await running.stop()
    await running.whenReady
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg)
    expect(messages).toContain('stopped')
    expect(messages).not.toContain('inventory ready')
  })
})
