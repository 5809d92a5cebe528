import { join } from 'node:path'
import { packageDir, readConfig, schemas, setting, z } from '@microshop/chassis'

export const gatewaySettings = {
  port: setting('PORT', schemas.port.default(8080)),
  upstreamDeadlineMs: setting('GATEWAY_UPSTREAM_DEADLINE_MS', schemas.positiveInt.default(2_000)),
  bodyLimitBytes: setting('GATEWAY_BODY_LIMIT_BYTES', schemas.positiveInt.default(64 * 1024)),
  publicDir: setting(
    'GATEWAY_PUBLIC_DIR',
    z
      .string()
      .min(1)
      .default(join(packageDir(import.meta.url), 'public')),
  ),
}

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  readConfig('gateway', gatewaySettings, env)

export type GatewayConfig = ReturnType<typeof loadConfig>
