import { readConfig, schemas, setting } from '@microshop/chassis'

const MiB = 1024 * 1024

export const consoleSettings = {
  port: setting('PORT', schemas.port.default(8081)),
  // the registry is how /sd/prometheus finds every instance: the console cannot do without it
  registryUrl: setting('REGISTRY_URL', schemas.postgresUrl),
  // measured as the JSON kept (see store/telemetry-store.ts); half for traces, half for logs
  maxBytes: setting(
    'CONSOLE_MAX_BYTES',
    schemas.positiveInt
      .min(2 * MiB)
      .max(1024 * MiB)
      .default(32 * MiB),
  ),
  // one OTLP request, compressed and decompressed alike
  maxBodyBytes: setting('CONSOLE_MAX_BODY_BYTES', schemas.positiveInt.default(4 * MiB)),
  maxSpansPerTrace: setting('CONSOLE_MAX_SPANS_PER_TRACE', schemas.positiveInt.default(5_000)),
  sseHeartbeatMs: setting('CONSOLE_SSE_HEARTBEAT_MS', schemas.positiveInt.default(15_000)),
}

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const config = readConfig('console', consoleSettings, env)
  // the console is where telemetry goes: exporting its own would feed every receipt back to itself
  return Object.freeze({ ...config, otlpEndpoint: undefined })
}

export type ConsoleConfig = ReturnType<typeof loadConfig>
