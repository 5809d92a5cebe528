import { TTL_SECONDS } from '@microshop/chassis/registry'
import pg from 'pg'
import { type Command, dataDirOption, parseFlags, resolveDataDir } from '../command.js'
import { renderInstances, renderUrls } from '../instance-table.js'
import { isAlive } from '../processes.js'
import { BUS } from '../provision.js'
import { readSecrets } from '../secrets.js'
import { type InstanceState, readState } from '../state.js'

interface RegistryRow {
  instance_id: string
  service: string
  grpc_port: number | null
  http_port: number | null
  public_port: number | null
  pid: number
  age: number
}

// every row, stale ones too, with its age: `listInstances` answers only the fresh ones
async function readRegistry(url: string): Promise<RegistryRow[]> {
  // not `withConnection`: status must answer even when PostgreSQL hangs, so the connect has a timeout
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
  await client.connect()
  try {
    const { rows } = await client.query<RegistryRow>(
      `select instance_id, service, grpc_port, http_port, public_port, pid,
         extract(epoch from now() - last_seen)::float8 as age from service_instances order by instance_id`,
    )
    return rows
  } finally {
    await client.end()
  }
}

async function probe(httpPort: number | undefined): Promise<boolean> {
  if (!httpPort) return false
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/health/ready`, {
      signal: AbortSignal.timeout(1_000),
    })
    await res.body?.cancel()
    return res.status === 200
  } catch {
    return false
  }
}

const since = (iso: string) => {
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000)
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`
}

const options = { ...dataDirOption, json: { type: 'boolean' } } as const

async function run(args: string[]): Promise<number> {
  const { values } = parseFlags(args, options)
  if (values.help) {
    process.stdout.write(`${status.usage}\n`)
    return 0
  }
  const dataDir = resolveDataDir(values['data-dir'])
  const state = readState(dataDir)
  if (!state || !isAlive(state.launcherPid)) {
    process.stdout.write(
      values.json ? `${JSON.stringify({ running: false })}\n` : 'microshop is not running\n',
    )
    return 1
  }
  const secrets = readSecrets(dataDir)
  const url = `postgres://${BUS}:${encodeURIComponent(secrets?.roles[BUS] ?? '')}@127.0.0.1:${state.pgPort}/${BUS}`
  let registry: RegistryRow[] = []
  let registryError: string | undefined
  try {
    registry = await readRegistry(url)
  } catch (err) {
    registryError = (err as Error).message
  }

  const known = new Set(state.instances.map((i) => i.id))
  const strangers: InstanceState[] = registry
    .filter((r) => !known.has(r.instance_id))
    .map((r) => ({
      id: r.instance_id,
      service: r.service,
      entry: '',
      pid: r.pid,
      grpcPort: r.grpc_port ?? undefined,
      httpPort: r.http_port ?? undefined,
      publicPort: r.public_port ?? undefined,
      status: 'ready',
      restarts: 0,
    }))
  const rows = await Promise.all(
    [...state.instances, ...strangers].map(async (instance) => {
      const row = registry.find((r) => r.instance_id === instance.id)
      const fresh = row ? row.age < TTL_SECONDS : registryError !== undefined
      const ready = await probe(instance.httpPort)
      const health =
        instance.status === 'restarting' ? 'restarting' : ready && fresh ? 'healthy' : 'unhealthy'
      const heartbeat = row ? `${row.age.toFixed(1)} s ago${fresh ? '' : ' (stale)'}` : 'none'
      return { instance, health, heartbeat, heartbeatAgeSeconds: row?.age as number | undefined }
    }),
  )

  if (values.json) {
    const report = {
      running: true,
      launcherPid: state.launcherPid,
      startedAt: state.startedAt,
      postgres: { host: '127.0.0.1', port: state.pgPort },
      gatewayUrl: state.gatewayUrl ?? null,
      consoleUrl: state.consoleUrl ?? null,
      ...(registryError ? { registryError } : {}),
      instances: rows.map(({ instance: i, health, heartbeatAgeSeconds }) => ({
        id: i.id,
        service: i.service,
        pid: i.pid ?? null,
        grpcPort: i.grpcPort ?? null,
        httpPort: i.httpPort ?? null,
        publicPort: i.publicPort ?? null,
        status: i.status,
        health,
        restarts: i.restarts,
        heartbeatAgeSeconds: heartbeatAgeSeconds ?? null,
      })),
    }
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    return 0
  }

  const out = (text: string) => void process.stdout.write(`${text}\n`)
  out(
    `microshop is running: launcher pid ${state.launcherPid}, up ${since(state.startedAt)}, ` +
      `PostgreSQL on 127.0.0.1:${state.pgPort}`,
  )
  if (registryError) out(`registry unavailable: ${registryError}`)
  out('')
  out(renderInstances(rows))
  const urls = renderUrls(state)
  if (urls) out(`\n${urls}`)
  return 0
}

export const status: Command = {
  summary: 'show the running instances, their ports, health and heartbeats',
  usage: `usage: microshop status [--json] [--data-dir <dir>]

  --json   the same as JSON: instances with health, the gateway's and the console's URLs

  exits 1 when microshop is not running`,
  run,
}
