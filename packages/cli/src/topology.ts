import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { usageError } from './cli-error.js'

/** One service of the system, as the launcher runs it locally. */
export interface ServiceSpec {
  name: string
  /** The compiled entry file, relative to the repository root. */
  entry: string
  /** Gets its own database and role. */
  database: boolean
  replicas: number
  /** Listens on this fixed port for people and tools (the gateway, the console). */
  publicPort?: number
}

/** The service people shop through. */
export const GATEWAY = 'gateway'
/** The service every other one sends its traces and logs to, and Prometheus asks for targets. */
export const CONSOLE = 'console'

/** The system, in start order; adding a service is adding a line. */
export const topology: readonly ServiceSpec[] = [
  { name: CONSOLE, entry: 'services/console/dist/main.js', database: false, replicas: 1, publicPort: 8081 },
  { name: 'identity', entry: 'services/identity/dist/main.js', database: true, replicas: 1 },
  { name: 'catalog', entry: 'services/catalog/dist/main.js', database: true, replicas: 1 },
  { name: 'inventory', entry: 'services/inventory/dist/main.js', database: true, replicas: 1 },
  { name: 'cart', entry: 'services/cart/dist/main.js', database: true, replicas: 1 },
  { name: 'fraud', entry: 'services/fraud/dist/main.js', database: true, replicas: 1 },
  { name: 'payments', entry: 'services/payments/dist/main.js', database: true, replicas: 1 },
  { name: 'orders', entry: 'services/orders/dist/main.js', database: true, replicas: 1 },
  { name: 'shipping', entry: 'services/shipping/dist/main.js', database: true, replicas: 1 },
  { name: 'notifications', entry: 'services/notifications/dist/main.js', database: true, replicas: 1 },
  { name: GATEWAY, entry: 'services/gateway/dist/main.js', database: false, replicas: 1, publicPort: 8080 },
]

/**
 * V8 options a service runs with, wherever it runs: on the launcher's command line, and as NODE_OPTIONS in
 * compose and Kubernetes. V8 grows a busy process' young generation to 2 × 16 MB of semi-spaces and keeps it;
 * a service's requests live for milliseconds, and 2 × 2 MB hold them: 1080 → 1031 MB of PSS over the system
 * after 5 minutes of checkouts (`BENCH_PSS_MINUTES=5 npm run bench:tracing`, from 4 MB for all). Two keep
 * 2 × 4 MB: the gateway allocates the most per request (HTTP, JSON, the edge's checks; with every service at
 * 2 MB its cached list fell from 0.86× to 0.72× of the untraced figure), and the console decodes every span
 * the others send, so its CPU is part of tracing's cost. (The old generation's headroom is set by the chassis
 * itself, keepHeapSnug: NODE_OPTIONS cannot carry it.)
 */
export function nodeOptionsOf(service: string): readonly string[] {
  return [`--max-semi-space-size=${service === GATEWAY || service === CONSOLE ? 4 : 2}`]
}

/** What a service needs where it is deployed (compose, Kubernetes): the event log, one instance's share, the most instances. */
export interface Footprint {
  /** Emits or consumes events: it needs the event log (BUS_URL). */
  events: boolean
  /** CPU one instance asks for, in Kubernetes units. */
  cpu: string
  /** Memory one instance asks for, and may not exceed. */
  memory: string
  /** The most instances an autoscaler may run. */
  maxReplicas: number
}

/** The topology's deployment data, by service. */
export const footprints: Readonly<Record<string, Footprint>> = {
  [CONSOLE]: { events: false, cpu: '100m', memory: '256Mi', maxReplicas: 1 },
  identity: { events: true, cpu: '200m', memory: '256Mi', maxReplicas: 4 },
  catalog: { events: true, cpu: '100m', memory: '256Mi', maxReplicas: 6 },
  inventory: { events: true, cpu: '100m', memory: '256Mi', maxReplicas: 4 },
  cart: { events: true, cpu: '100m', memory: '256Mi', maxReplicas: 4 },
  fraud: { events: false, cpu: '50m', memory: '192Mi', maxReplicas: 3 },
  payments: { events: true, cpu: '100m', memory: '256Mi', maxReplicas: 4 },
  orders: { events: true, cpu: '200m', memory: '384Mi', maxReplicas: 6 },
  shipping: { events: true, cpu: '50m', memory: '256Mi', maxReplicas: 3 },
  notifications: { events: true, cpu: '50m', memory: '256Mi', maxReplicas: 3 },
  [GATEWAY]: { events: true, cpu: '250m', memory: '384Mi', maxReplicas: 8 },
}

/** The repository root, found from this file (packages/cli/dist/topology.js). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** A service spec whose entry is an absolute path. */
export type ResolvedService = ServiceSpec & { entryPath: string }

/** The built-in topology, or the one in a JSON file (an array of ServiceSpec; entries relative to the file). */
export function loadTopology(file?: string): ResolvedService[] {
  if (!file) return topology.map((s) => ({ ...s, entryPath: resolve(repoRoot, s.entry) }))
  let specs: ServiceSpec[]
  try {
    specs = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw usageError(`cannot read topology ${file}: ${(err as Error).message}`)
  }
  if (!Array.isArray(specs)) throw usageError(`topology ${file}: expected a JSON array of services`)
  return specs.map((s) => ({
    ...s,
    entryPath: isAbsolute(s.entry) ? s.entry : resolve(dirname(file), s.entry),
  }))
}

/** Parses `catalog=2,gateway=1` into replica counts, checked against the known services. */
export function parseReplicas(spec: string, services: readonly ServiceSpec[]): Map<string, number> {
  const counts = new Map<string, number>()
  const names = services.map((s) => s.name)
  for (const part of spec.split(',').filter((p) => p.trim() !== '')) {
    const match = /^\s*([a-z][a-z0-9-]*)\s*=\s*(\d+)\s*$/.exec(part)
    if (!match) throw usageError(`bad replicas "${part}": expected service=count, e.g. catalog=2,gateway=1`)
    const [, name = '', count = ''] = match
    if (!names.includes(name))
      throw usageError(`unknown service "${name}" in replicas (known: ${names.join(', ')})`)
    const n = Number(count)
    if (n < 1 || n > 16) throw usageError(`replicas for ${name} must be between 1 and 16, got ${n}`)
    counts.set(name, n)
  }
  return counts
}

/** The topology with replica counts and public ports (by service name) applied. */
export function applyOverrides(
  services: readonly ResolvedService[],
  overrides: { replicas: Map<string, number>; publicPorts: Map<string, number> },
): ResolvedService[] {
  return services.map((s) => {
    const replicas = overrides.replicas.get(s.name) ?? s.replicas
    const publicPort =
      s.publicPort !== undefined ? (overrides.publicPorts.get(s.name) ?? s.publicPort) : undefined
    // two processes cannot listen on one fixed port (no SO_REUSEPORT in Node 20)
    if (publicPort !== undefined && replicas > 1) {
      throw usageError(
        `${s.name} listens on the public port ${publicPort}: it runs as 1 instance, not ${replicas}`,
      )
    }
    return { ...s, replicas, publicPort }
  })
}
