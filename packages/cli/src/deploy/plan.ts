import { calleesOf, callPolicy } from '@microshop/contracts'
import { CONSOLE, type Footprint, footprints, GATEWAY, nodeOptionsOf, type ServiceSpec } from '../topology.js'

/** Where every service listens for gRPC and for its health and metrics, in a container. */
export const GRPC_PORT = 50051
export const HEALTH_PORT = 9464
/** Where a service finds its certificate (a cert-manager secret's layout: ca.crt, tls.crt, tls.key). */
export const TLS_MOUNT = '/var/run/microshop/tls'
/** The console's registry: the platform database (the others find peers by DNS). */
export const PLATFORM = 'platform'

/** One service as deployed: the topology's line, its footprint, and its edges in the call policy. */
export interface DeployedService {
  name: string
  /** The image's command: the compiled entry file (one image runs every service). */
  entry: string
  replicas: number
  footprint: Footprint
  /** Its own database and role; the console's is the platform registry. */
  database: string | undefined
  publicPort: number | undefined
  /** Serves gRPC: it is a callee in the call policy. */
  grpc: boolean
  /** Speaks gRPC at all, as server or client: it needs its own certificate. */
  tls: boolean
  /** The services the policy lets call it, and those it calls. */
  callers: string[]
  callees: string[]
}

/** Settings that differ between targets: how a service reaches the shared infrastructure. */
export interface Infrastructure {
  busUrl: string
  smtpUrl: string
  otlpEndpoint: string
  /** GATEWAY_TRUST_PROXY: whether a proxy stands between clients and the gateway (Kubernetes: the ingress). */
  trustProxy: string
}

/** A service's environment: plain settings, and the names of the secret ones (their values come from outside). */
export interface ServiceEnvironment {
  plain: Record<string, string>
  secret: string[]
}

const called = callPolicy as Record<string, Record<string, readonly string[]>>

/** Every service of the topology with what deploying it needs; fails on a service with no footprint. */
export function planServices(services: readonly ServiceSpec[]): DeployedService[] {
  return services.map((s) => {
    const footprint = footprints[s.name]
    if (!footprint)
      throw new Error(`topology: no footprint for ${s.name} (add it to footprints in topology.ts)`)
    const rpcs = called[s.name]
    const callers = rpcs ? [...new Set(Object.values(rpcs).flat())].sort() : []
    const callees = calleesOf(s.name).sort()
    return {
      name: s.name,
      entry: s.entry,
      replicas: s.replicas,
      footprint,
      database: s.database ? s.name : s.name === CONSOLE ? PLATFORM : undefined,
      publicPort: s.publicPort,
      grpc: rpcs !== undefined,
      tls: rpcs !== undefined || callees.length > 0,
      callers,
      callees,
    }
  })
}

/** The databases to create: one per service that has one, and the platform registry. */
export const databasesOf = (services: readonly DeployedService[]) =>
  services.flatMap((s) => (s.database ? [s.database] : []))

/** What a service reads at start (see each service's config.ts), for a target's infrastructure. */
export function environmentOf(service: DeployedService, infra: Infrastructure): ServiceEnvironment {
  const plain: Record<string, string> = {
    NODE_ENV: 'production',
    NODE_OPTIONS: nodeOptionsOf(service.name).join(' '),
    LOG_LEVEL: 'info',
    HOST: '0.0.0.0',
    HTTP_PORT: String(HEALTH_PORT),
  }
  const secret: string[] = []
  if (service.grpc) plain.GRPC_PORT = String(GRPC_PORT)
  if (service.publicPort !== undefined) plain.PORT = String(service.publicPort)
  if (service.tls) plain.TLS_DIR = TLS_MOUNT
  if (service.footprint.events) plain.BUS_URL = infra.busUrl
  // the console is where telemetry goes; the others send it there (or to a collector, by changing this)
  if (service.name !== CONSOLE) plain.OTEL_EXPORTER_OTLP_ENDPOINT = infra.otlpEndpoint
  if (service.name === CONSOLE) secret.push('REGISTRY_URL')
  else if (service.database) secret.push('DATABASE_URL')
  if (service.name === 'identity') {
    plain.MICROSHOP_ADMIN_EMAIL = 'admin@microshop.local'
    secret.push('MICROSHOP_ADMIN_PASSWORD', 'IDENTITY_KEY_ENCRYPTION_KEY')
  }
  if (service.name === 'orders') secret.push('ORDERS_FINGERPRINT_KEY')
  if (service.name === 'notifications') plain.SMTP_URL = infra.smtpUrl
  if (service.name === GATEWAY) plain.GATEWAY_TRUST_PROXY = infra.trustProxy
  return { plain, secret }
}

/** The services in an order where each comes after those it calls (the call graph has no cycle). */
export function startOrder(services: readonly DeployedService[]): DeployedService[] {
  const byName = new Map(services.map((s) => [s.name, s]))
  const done = new Set<string>()
  const ordered: DeployedService[] = []
  const visit = (s: DeployedService, path: string[]) => {
    if (done.has(s.name)) return
    if (path.includes(s.name)) throw new Error(`the call graph has a cycle: ${[...path, s.name].join(' → ')}`)
    for (const callee of s.callees) {
      const peer = byName.get(callee)
      if (peer) visit(peer, [...path, s.name])
    }
    done.add(s.name)
    ordered.push(s)
  }
  for (const s of services) visit(s, [])
  return ordered
}

/** The header of every generated file. */
export const GENERATED =
  'Generated by `npx microshop deploy` from packages/cli/src/topology.ts and the call policy: do not edit, regenerate.'
