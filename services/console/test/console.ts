import type { RunningService } from '@microshop/chassis'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { startConsole } from '../src/main.js'

export interface TestConsole {
  service: RunningService
  /** `http://127.0.0.1:<port>`: the receiver, the query API, service discovery. */
  base: string
  /** `http://127.0.0.1:<httpPort>`: health and the console's own /metrics. */
  httpUrl: string
  registryUrl: string
  post(path: string, body: Uint8Array | string, headers?: Record<string, string>): Promise<Response>
  get<T = unknown>(path: string): Promise<{ status: number; body: T; type: string }>
  stop(): Promise<void>
}

/** The real console, in this process, on free loopback ports, with a registry of its own unless given one. */
export async function startTestConsole(
  env: Record<string, string> = {},
  registry?: TestDatabase,
): Promise<TestConsole> {
  const ownRegistry = registry ? undefined : await createTestDatabase('console_registry')
  const registryUrl = registry?.url ?? ownRegistry!.url
  const service = await startConsole(
    {
      REGISTRY_URL: registryUrl,
      HOST: '127.0.0.1',
      GRPC_PORT: '0',
      HTTP_PORT: '0',
      PORT: '0',
      LOG_LEVEL: 'silent',
      ...env,
    },
    { handleSignals: false },
  )
  const base = `http://127.0.0.1:${service.publicPort}`
  return {
    service,
    base,
    httpUrl: `http://127.0.0.1:${service.httpPort}`,
    registryUrl,
    post: (path, body, headers = {}) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        body: typeof body === 'string' ? body : Buffer.from(body),
        headers: { 'content-type': 'application/json', ...headers },
      }),
    async get<T>(path: string) {
      const res = await fetch(`${base}${path}`)
      const type = res.headers.get('content-type') ?? ''
      return { status: res.status, body: (await res.json()) as T, type }
    },
    async stop() {
      await service.stop()
      await ownRegistry?.drop()
    },
  }
}

/** The value of one series in a Prometheus exposition, 0 when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number {
  const line = text
    .split('\n')
    .find(
      (l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
    )
  return line ? Number(line.split(' ').at(-1)) : 0
}
