import { hostname } from 'node:os'
import { z } from 'zod'
import { busUrlSchema } from './events/open-event-bus.js'

/** One setting: the environment variable it is read from and the schema it must satisfy. */
export interface Setting<S extends z.ZodType = z.ZodType> {
  env: string
  schema: S
}

export type SettingsSpec = Record<string, Setting>
export type ConfigOf<S extends SettingsSpec> = { readonly [K in keyof S]: z.output<S[K]['schema']> }

/** Raised when the environment does not satisfy a service's settings. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

export const setting = <S extends z.ZodType>(env: string, schema: S): Setting<S> => ({ env, schema })

/** Schemas the services share, with messages a person can act on. */
export const schemas = {
  port: z.coerce.number().int().min(0).max(65535),
  postgresUrl: z.string().regex(/^postgres(ql)?:\/\/.+/, 'expected a postgres:// URL'),
  positiveInt: z.coerce.number().int().positive(),
  boolean: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
}

/** DATABASE_URL, for a service that keeps its data in its own database. */
export const databaseSettings = {
  databaseUrl: setting('DATABASE_URL', schemas.postgresUrl),
  // each connection is a PostgreSQL backend of a few MB; five instead of ten cost a third of the checkout's
  // throughput on two cores (bench:checkout), so ten it is
  databasePoolMax: setting('DATABASE_POOL_MAX', schemas.positiveInt.max(100).default(10)),
}

/** BUS_URL, for a service that emits or consumes events. */
export const busSettings = {
  busUrl: setting('BUS_URL', busUrlSchema),
}

/** What every service reads; a service adds its own settings on top. */
export const baseSettings = {
  instanceId: setting('INSTANCE_ID', z.string().min(1).optional()),
  // loopback unless told: a local run is not reachable from the network; a deployment sets HOST=0.0.0.0
  host: setting('HOST', z.string().min(1).default('127.0.0.1')),
  advertiseHost: setting('ADVERTISE_HOST', z.string().min(1).optional()),
  grpcPort: setting('GRPC_PORT', schemas.port.default(50051)),
  httpPort: setting('HTTP_PORT', schemas.port.default(9464)),
  logLevel: setting(
    'LOG_LEVEL',
    z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  ),
  registryUrl: setting('REGISTRY_URL', schemas.postgresUrl.optional()),
  // mutual TLS for gRPC: a cert-manager secret's layout in TLS_DIR, or each file on its own
  tlsDir: setting('TLS_DIR', z.string().min(1).optional()),
  tlsCaFile: setting('TLS_CA_FILE', z.string().min(1).optional()),
  tlsCertFile: setting('TLS_CERT_FILE', z.string().min(1).optional()),
  tlsKeyFile: setting('TLS_KEY_FILE', z.string().min(1).optional()),
  /** Plaintext gRPC, no caller identity, no call policy: development and tests only; the launcher never sets it. */
  grpcInsecure: setting('GRPC_INSECURE', schemas.boolean.default(false)),
  shutdownTimeoutMs: setting('SHUTDOWN_TIMEOUT_MS', schemas.positiveInt.default(10_000)),
  // how old the access-token key set may grow: a key identity removed stops verifying within this
  accessTokenKeysRefreshSeconds: setting(
    'ACCESS_TOKEN_KEYS_REFRESH_SECONDS',
    z.coerce.number().int().min(1).max(86_400).default(60),
  ),
  // set by the launcher (`microshop up`): only then may a service fall back to a published local secret
  localMode: setting('MICROSHOP_LOCAL', schemas.boolean.default(false)),
  // the OpenTelemetry environment specification's names: an OTLP receiver (a collector, or the console)
  otlpEndpoint: setting('OTEL_EXPORTER_OTLP_ENDPOINT', z.url({ protocol: /^https?$/ }).optional()),
  tracesSampler: setting(
    'OTEL_TRACES_SAMPLER',
    z
      .enum([
        'always_on',
        'always_off',
        'traceidratio',
        'parentbased_always_on',
        'parentbased_always_off',
        'parentbased_traceidratio',
      ])
      .default('parentbased_always_on'),
  ),
  tracesSamplerArg: setting('OTEL_TRACES_SAMPLER_ARG', z.coerce.number().min(0).max(1).default(1)),
}

export type BaseConfig = ConfigOf<typeof baseSettings> & {
  readonly instanceId: string
  readonly service: string
}

const SECRET_NAME = /PASSWORD|SECRET|TOKEN|PRIVATE|KEY/i

/** A rejected value as it may be printed: secrets hidden, and the password of a URL masked. */
function shown(name: string, raw: string): string {
  if (SECRET_NAME.test(name)) return '(hidden)'
  return JSON.stringify(raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/i, '$1***@'))
}

/** Reads, validates and freezes a config; every problem is reported at once, naming the variable. */
export function readConfig<S extends SettingsSpec>(
  service: string,
  spec: S,
  env: Record<string, string | undefined> = process.env,
): BaseConfig & ConfigOf<S> {
  const all: SettingsSpec = { ...baseSettings, ...spec }
  const out: Record<string, unknown> = {}
  const problems: string[] = []
  for (const [key, { env: name, schema }] of Object.entries(all)) {
    const raw = env[name] === '' ? undefined : env[name]
    const parsed = schema.safeParse(raw)
    if (parsed.success) out[key] = parsed.data
    else {
      const why = parsed.error.issues.map((i) => i.message).join('; ')
      problems.push(`${name}: ${why}${raw === undefined ? ' (not set)' : ` (got ${shown(name, raw)})`}`)
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
  out.service = service
  out.instanceId ??= `${service}-${hostname()}-${process.pid}`
  return Object.freeze(out) as BaseConfig & ConfigOf<S>
}
