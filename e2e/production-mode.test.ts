import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { withConnection } from '@microshop/chassis/internal'
import { eventually, waitFor } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { natsHarness } from '../packages/chassis/test/events/support/harness.js'
import { newSecretValue } from '../packages/cli/src/deploy/compose.js'
import { type DeployedService, environmentOf, planServices } from '../packages/cli/src/deploy/plan.js'
import { postgresInit } from '../packages/cli/src/deploy/postgres-init.js'
import { CONSOLE, GATEWAY, repoRoot, topology } from '../packages/cli/src/topology.js'
import { freePort } from '../test-support/net.js'
import { hasExited, stopChild } from '../test-support/processes.js'
import { testTlsDir } from '../test-support/tls.js'
import { jsonCall } from './http.js'
import { auditWith } from './launcher.js'
import { ADMIN, CARDS, PAID, shopAt } from './shop.js'

// Production mode: no launcher, no registry. Each service is `node <entry>` with the environment its container
// gets (environmentOf, as compose and Kubernetes are generated), its own database and role on the machine's
// PostgreSQL made by the generated init script, NATS JetStream as the log, peers by <NAME>_GRPC_ADDR, and
// telemetry to OTEL_EXPORTER_OTLP_ENDPOINT (the console, started the same way).

const natsUrl = process.env.NATS_URL
const title = natsUrl
  ? 'production mode: plain processes on PostgreSQL and NATS'
  : 'production mode: plain processes on PostgreSQL and NATS (skipped: NATS_URL is not set)'

/** The machine's PostgreSQL (trust auth), as CI gives it; a user's would take a password. */
const SERVER = { host: '127.0.0.1', port: 5432, user: 'postgres' }
const serverUrl = (database: string) => `postgres://${SERVER.user}@${SERVER.host}:${SERVER.port}/${database}`
const run = promisify(execFile)

/** One plain process: what it printed (the tail), how it ended. */
interface Proc {
  name: string
  child: ChildProcess
  output(): string
}

function startProcess(name: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const keep = (d: Buffer) => {
    output = (output + d).slice(-20_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  return { name, child, output: () => output }
}

const gone = (p: Proc) => hasExited(p.child)

/** SIGTERM by its PID, as Kubernetes stops a pod; resolves with its exit code. */
const stopProcess = (p: Proc, forceAfterMs?: number) => stopChild(p.child, 'SIGTERM', forceAfterMs)

/**
 * Starts a process until it stays up: a port found free can be taken before the process binds it (the kernel
 * hands the same range to outgoing connections), so a start that failed on EADDRINUSE is tried again on new
 * ports (`launch` picks them). Resolves once it is up; any other exit fails.
 */
async function startUntilBound(name: string, launch: () => Promise<Proc>) {
  for (let attempt = 1; ; attempt++) {
    const proc = await launch()
    if (!gone(proc)) {
      procs.push(proc)
      return
    }
    if (attempt >= 3 || !proc.output().includes('EADDRINUSE'))
      throw new Error(`${name} exited (${proc.child.exitCode}):\n${proc.output()}`)
  }
}

const suffix = randomBytes(4).toString('hex')
const bus = natsUrl ? natsHarness(natsUrl) : undefined
const services = planServices(topology)
/** This run's databases: the topology's, with a suffix, so parallel files and reruns never share one. */
const deployed: DeployedService[] = services.map((s) => ({
  ...s,
  ...(s.database && { database: `${s.database}_${suffix}` }),
}))
const passwords = new Map(
  deployed.flatMap((s): [string, string][] =>
    s.database ? [[s.database, randomBytes(12).toString('hex')]] : [],
  ),
)
const procs: Proc[] = []
let workDir: string
let busUrl: string
let gatewayPort: number
let consolePort: number

const shop = shopAt(() => `http://127.0.0.1:${gatewayPort}`)
const consoleApi = <T>(path: string) => jsonCall<T>(`http://127.0.0.1:${consolePort}`, path)

/** The audit as an operator runs it against the deployed system: the server, this run's database names, the log. */
const auditDeployed = () =>
  auditWith([
    '--postgres',
    `postgres://${SERVER.user}@${SERVER.host}:${SERVER.port}`,
    ...deployed.flatMap((s) => (s.database ? ['--database', `${s.name}=${s.database}`] : [])),
    '--bus',
    busUrl,
  ])

/** Creates every role and database as a user does once: the generated init script, run with psql. */
async function provision() {
  const script = join(workDir, 'postgres-init.sh')
  await writeFile(script, postgresInit(deployed), { mode: 0o755 })
  await run('sh', [script], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PGHOST: SERVER.host,
      PGPORT: String(SERVER.port),
      POSTGRES_USER: SERVER.user,
      ...Object.fromEntries([...passwords].map(([db, pw]) => [`${db.toUpperCase()}_DB_PASSWORD`, pw])),
    },
  })
}

async function dropDatabases() {
  await withConnection(serverUrl('postgres'), async (db) => {
    for (const s of deployed) {
      if (!s.database) continue
      const name = db.escapeIdentifier(s.database)
      await db.query(`drop database if exists ${name} with (force)`)
      await db.query(`drop role if exists ${name}`)
    }
  })
}

describe.skipIf(!natsUrl)(title, () => {
  beforeAll(async () => {
    if (!bus) return
    workDir = await mkdtemp(join(tmpdir(), 'microshop-production-'))
    await provision()
    busUrl = await bus.newBusUrl()
    let mailPort = 0
    ;[gatewayPort, consolePort] = [await freePort(), await freePort()]
    const ports = new Map<string, { grpc: number; http: number }>()
    for (const s of deployed) ports.set(s.name, { grpc: await freePort(), http: await freePort() })

    // the SMTP server outside, as compose's `mail` container: the image's own catcher
    await startUntilBound('mail', async () => {
      mailPort = await freePort()
      const mail = startProcess(
        'mail',
        ['packages/cli/dist/deploy/mail-main.js', join(workDir, 'mail'), String(mailPort), '127.0.0.1'],
        {},
      )
      await waitFor(() => gone(mail) || mail.output().includes('mail catcher:'), {
        what: 'the mail catcher',
        timeoutMs: 30_000,
      })
      return mail
    })

    const envOf = async (s: DeployedService) => {
      const { plain, secret } = environmentOf(s, {
        busUrl,
        smtpUrl: `smtp://127.0.0.1:${mailPort}`,
        otlpEndpoint: `http://127.0.0.1:${consolePort}`,
        trustProxy: 'false',
      })
      const own = ports.get(s.name)!
      const env: Record<string, string> = { ...plain, HOST: '127.0.0.1', HTTP_PORT: String(own.http) }
      // what differs from a container: the ports (one loopback for all), the certificates' path, the secrets' values
      if (plain.GRPC_PORT) env.GRPC_PORT = String(own.grpc)
      if (plain.PORT) env.PORT = String(s.name === GATEWAY ? gatewayPort : consolePort)
      if (plain.TLS_DIR) env.TLS_DIR = await testTlsDir(s.name)
      for (const name of secret) {
        if ((name === 'DATABASE_URL' || name === 'REGISTRY_URL') && s.database)
          env[name] =
            `postgres://${s.database}:${passwords.get(s.database)}@${SERVER.host}:${SERVER.port}/${s.database}`
        else if (name === 'MICROSHOP_ADMIN_PASSWORD') env[name] = ADMIN.password
        else env[name] = newSecretValue(name)
      }
      // DNS-style discovery: the address of each peer it calls, as a Kubernetes Service name would resolve
      for (const callee of s.callees)
        env[`${callee.toUpperCase().replaceAll('-', '_')}_GRPC_ADDR`] = `127.0.0.1:${ports.get(callee)!.grpc}`
      return env
    }

    // each starts once those it calls are ready, as compose's depends_on: service_healthy has it
    const ready = new Map<string, Promise<void>>()
    const start = (s: DeployedService): Promise<void> => {
      let started = ready.get(s.name)
      if (started) return started
      started = (async () => {
        await Promise.all(s.callees.map((c) => start(deployed.find((d) => d.name === c)!)))
        let first = true
        await startUntilBound(s.name, async () => {
          if (!first) {
            ports.set(s.name, { grpc: await freePort(), http: await freePort() })
            if (s.name === GATEWAY) gatewayPort = await freePort()
            if (s.name === CONSOLE) consolePort = await freePort()
          }
          first = false
          const proc = startProcess(s.name, [s.entry], await envOf(s))
          await eventually(
            async () => {
              if (gone(proc)) return
              const res = await fetch(`http://127.0.0.1:${ports.get(s.name)!.http}/health/ready`)
              if (!res.ok) throw new Error(`${s.name} not ready: ${res.status}`)
            },
            { what: `${s.name} ready`, timeoutMs: 90_000, everyMs: 200 },
          )
          return proc
        })
      })()
      ready.set(s.name, started)
      return started
    }
    // telemetry's receiver first: every other service exports to it from its start
    await start(deployed.find((s) => s.name === CONSOLE)!)
    await Promise.all(deployed.map(start))
    // inventory seeds its stock from the catalog's events, through NATS
    await waitFor(async () => ((await shop.available('enamel-camp-mug')) ?? 0) > 0, {
      what: 'stock seeded',
      timeoutMs: 60_000,
      everyMs: 250,
    })
  }, 240_000)

  afterAll(async () => {
    await Promise.all(procs.map((p) => stopProcess(p, 5_000)))
    await bus?.cleanup()
    if (bus) await dropDatabases()
    if (workDir) await rm(workDir, { recursive: true, force: true })
  }, 120_000)

  it('when a buyer pays with a good card, then the order is CONFIRMED and its trace reaches the console over OTLP', async () => {
    const token = await shop.buyer()
    const placed = await shop.order(token, 'enamel-camp-mug', CARDS.ok)
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    const confirmed = await shop.orderOnce(token, placed.body.orderId, (o) => PAID.includes(o.status), 60_000)
    expect(confirmed.payment?.status).toBe('CAPTURED')
    const services = await eventually(
      async () => {
        const { body } = await consoleApi<{ items: { traceId: string; rootOperation: string }[] }>(
          `/api/traces?orderId=${placed.body.orderId}&limit=50`,
        )
        const root = body.items.find((t) => t.rootOperation === 'POST /api/orders')
        if (!root) throw new Error(`no trace of POST /api/orders yet: ${JSON.stringify(body.items)}`)
        const { body: trace } = await consoleApi<{ services: string[] }>(`/api/traces/${root.traceId}`)
        const missing = ['gateway', 'orders', 'inventory', 'payments'].filter(
          (s) => !trace.services.includes(s),
        )
        if (missing.length > 0) throw new Error(`the trace has no spans from ${missing.join(', ')} yet`)
        return trace.services
      },
      { what: 'the checkout trace in the console', timeoutMs: 60_000, everyMs: 500 },
    )
    expect(services).toContain('payments')
  }, 120_000)

  it('when the card is declined, then the order is CANCELLED for payment_failed and the stock comes back', async () => {
    const token = await shop.buyer()
    const before = await shop.available('brass-fountain-pen')
    const placed = await shop.order(token, 'brass-fountain-pen', CARDS.declined)
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    const done = await shop.orderOnce(token, placed.body.orderId, (o) => o.status === 'CANCELLED', 60_000)
    expect(done).toMatchObject({ status: 'CANCELLED', cancelReason: 'payment_failed' })
    expect(done.payment?.status).toBe('FAILED')
    await eventually(async () => expect(await shop.available('brass-fountain-pen')).toBe(before), {
      what: 'stock back',
      timeoutMs: 60_000,
      everyMs: 250,
    })
  }, 120_000)

  it('when a confirmed order is cancelled, then its payment is refunded in full', async () => {
    const token = await shop.buyer()
    const placed = await shop.order(token, 'ceramic-table-lamp', CARDS.ok)
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    await shop.orderOnce(token, placed.body.orderId, (o) => o.status === 'CONFIRMED', 60_000)
    const cancel = await shop.call(`/api/orders/${placed.body.orderId}/cancel`, { method: 'POST', token })
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200)
    const refunded = await shop.orderOnce(
      token,
      placed.body.orderId,
      (o) => o.payment?.status === 'REFUNDED',
      60_000,
    )
    expect(refunded.status).toBe('CANCELLED')
    expect(refunded.payment?.refunded?.amount).toBe(refunded.payment?.amount.amount)
  }, 120_000)

  it('when everything has settled, then microshop audit on the deployed databases and NATS is clean; planted violations are named', async () => {
    const clean = await eventually(
      async () => {
        const result = await auditDeployed()
        expect(result.text).toContain('audit passed')
        expect(result.code).toBe(0)
        return result.text
      },
      { what: 'the audit', timeoutMs: 90_000, everyMs: 1_000 },
    )
    // the one check that reads the log read NATS's
    expect(clean).toMatch(/^ok +notifications: exactly one email per notifying event/m)
    const orders = deployed.find((s) => s.name === 'orders')!.database!
    const stuck = '00000000-0000-4000-8000-0000000beef5'
    await withConnection(serverUrl(orders), (db) =>
      db.query(
        `insert into order_summaries (order_id, user_id, status, total_amount, currency, item_count, created_at, updated_at, version)
         values ($1, 'nobody', 'PENDING_PAYMENT', 100, 'USD', 1, now() - interval '1 hour', now() - interval '1 hour', 1)`,
        [stuck],
      ),
    )
    // and an email lost behind notifications' back: only the events in NATS can tell
    const notifications = deployed.find((s) => s.name === 'notifications')!.database!
    const lost = await withConnection(serverUrl(notifications), async (db) => {
      const { rows } = await db.query<{ event_id: string }>(
        `delete from messages where id = (select id from messages where channel = 'email' order by seq limit 1)
         returning event_id`,
      )
      return rows[0]?.event_id
    })
    expect(lost).toBeDefined()
    const failed = await auditDeployed()
    expect(failed.code).toBe(1)
    expect(failed.text).toContain(stuck)
    expect(failed.text).toMatch(
      new RegExp(`FAIL +one email per notifying event: ${lost} — [\\w.]+: 0 emails`),
    )
  }, 120_000)

  it('when every process gets SIGTERM by its PID, then each exits cleanly', async () => {
    // the gateway first, the console last: the reverse of the start
    const codes: Record<string, number | null> = {}
    for (const p of [...procs].reverse()) codes[p.name] = await stopProcess(p)
    expect(codes).toEqual(Object.fromEntries(procs.map((p) => [p.name, 0])))
  }, 120_000)
})
