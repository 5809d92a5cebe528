/** What every process needs of the system's environment, and the settings every service reads. */
const SHARED = new Set([
  'PATH',
  'HOME',
  'USER',
  'LANG',
  'TZ',
  'TMPDIR',
  'NODE_OPTIONS',
  'DATABASE_POOL_MAX',
  'NODE_EXTRA_CA_CERTS',
  'SHUTDOWN_TIMEOUT_MS',
])
const SHARED_PREFIXES = ['LC_', 'OTEL_']

/** Settings a service reads that are not named after it. */
const EXTRA: Record<string, readonly string[]> = {
  identity: ['MICROSHOP_ADMIN_EMAIL', 'MICROSHOP_ADMIN_PASSWORD'],
}

/** The variables the launcher sets itself for each service: never inherited from its own environment. */
const SET_BY_LAUNCHER = new Set([
  'DATABASE_URL',
  'REGISTRY_URL',
  'BUS_URL',
  'SMTP_URL',
  'PORT',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'GRPC_INSECURE',
  'TLS_DIR',
  'TLS_CA_FILE',
  'TLS_CERT_FILE',
  'TLS_KEY_FILE',
])

/**
 * What a service's process inherits of the launcher's environment: the system's basics, the settings every
 * service reads (`LOG_LEVEL` is set by the launcher), and its own: `<SERVICE>_…` and the few listed in
 * EXTRA. Never another service's settings and secrets (the admin password, the fingerprint key) nor
 * whatever else the user's shell holds.
 */
export function inheritedEnv(
  service: string,
  env: Record<string, string | undefined>,
): Record<string, string> {
  const own = `${service.toUpperCase().replaceAll('-', '_')}_`
  const extra = EXTRA[service] ?? []
  const kept: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || SET_BY_LAUNCHER.has(name)) continue
    if (
      SHARED.has(name) ||
      SHARED_PREFIXES.some((p) => name.startsWith(p)) ||
      name.startsWith(own) ||
      extra.includes(name)
    )
      kept[name] = value
  }
  return kept
}
