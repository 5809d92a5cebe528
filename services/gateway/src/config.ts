import { fileURLToPath } from 'node:url'
import { busSettings, readConfig, schemas, setting, z } from '@microshop/chassis'

const origins = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z
        .string()
        .regex(/^https?:\/\/[^/\s]+$/, 'a comma-separated list of origins like http://localhost:5173'),
    ),
  )

// false (the default: the socket's address is the client), true (every hop), a hop count, or the
// proxies' addresses/CIDRs; only then do X-Forwarded-For and the rate limits see the real client
const trustProxy = z
  .string()
  .transform((v): boolean | number | string[] => {
    const t = v.trim()
    if (t === 'false' || t === '0') return false
    if (t === 'true') return true
    if (/^\d+$/.test(t)) return Number(t)
    return t
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean)
  })
  .refine(
    (v) => !Array.isArray(v) || v.every((a) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(a)),
    'false, true, a hop count, or comma-separated proxy addresses/CIDRs like 10.0.0.0/8',
  )

// an admission class as `limit,queue,maxWaitMs`: working at once, waiting, and the longest wait
const admission = (limit: number, queue: number, maxWaitMs: number) =>
  z
    .string()
    .regex(/^\d+,\d+,\d+$/, 'limit,queue,maxWaitMs: three whole numbers like 32,256,1000')
    .transform((v) => {
      const [l, q, w] = v.split(',').map(Number) as [number, number, number]
      return { limit: Math.max(1, l), queue: q, maxWaitMs: Math.max(1, w) }
    })
    .default({ limit, queue, maxWaitMs })

export const gatewaySettings = {
  port: setting('PORT', schemas.port.default(8080)),
  // catalog changes drop cached reads and order status changes feed the SSE streams
  ...busSettings,
  upstreamDeadlineMs: setting('GATEWAY_UPSTREAM_DEADLINE_MS', schemas.positiveInt.default(2_000)),
  // payment, shipment and availability are extras of a response: they get less time than the response itself
  partDeadlineMs: setting('GATEWAY_PART_DEADLINE_MS', schemas.positiveInt.default(1_000)),
  sseHeartbeatMs: setting('GATEWAY_SSE_HEARTBEAT_MS', schemas.positiveInt.default(15_000)),
  // each open stream holds a socket and a watcher: a few tabs per user, a bound for the process
  sseMaxPerUser: setting('GATEWAY_SSE_MAX_PER_USER', schemas.positiveInt.default(5)),
  sseMaxTotal: setting('GATEWAY_SSE_MAX_TOTAL', schemas.positiveInt.default(2_000)),
  trustProxy: setting('GATEWAY_TRUST_PROXY', trustProxy.default(false)),
  bodyLimitBytes: setting('GATEWAY_BODY_LIMIT_BYTES', schemas.positiveInt.default(64 * 1024)),
  publicDir: setting(
    'GATEWAY_PUBLIC_DIR',
    z
      .string()
      .min(1)
      // ../public from src/ and from dist/ alike
      .default(fileURLToPath(new URL('../public', import.meta.url))),
  ),
  storefrontDir: setting(
    'GATEWAY_STOREFRONT_DIR',
    z
      .string()
      .min(1)
      // the repository's apps/storefront/dist, from src/ and from dist/ alike
      .default(fileURLToPath(new URL('../../../apps/storefront/dist', import.meta.url))),
  ),
  corsOrigins: setting(
    'GATEWAY_CORS_ORIGINS',
    origins.default(['http://localhost:8080', 'http://127.0.0.1:8080', 'http://localhost:5173']),
  ),
  rateWindowMs: setting('GATEWAY_RATE_WINDOW_MS', schemas.positiveInt.default(60_000)),
  rateAnonymous: setting('GATEWAY_RATE_LIMIT_ANONYMOUS', schemas.positiveInt.default(600)),
  rateUser: setting('GATEWAY_RATE_LIMIT_USER', schemas.positiveInt.default(1_200)),
  rateLogin: setting('GATEWAY_RATE_LIMIT_LOGIN', schemas.positiveInt.default(10)),
  loginLockoutMs: setting('GATEWAY_LOGIN_LOCKOUT_MS', schemas.positiveInt.default(5 * 60_000)),
  // past these, requests are refused at once with 503 OVERLOADED and Retry-After: see plugins/admission.ts.
  // Few work at once (more only queue inside the services and make every call slow, status reads included);
  // many may wait their turn, so a burst is served in order and only a flood is refused
  admitApi: setting('GATEWAY_ADMISSION_API', admission(128, 4_096, 5_000)),
  admitOrders: setting('GATEWAY_ADMISSION_ORDERS', admission(8, 1_024, 10_000)),
  admitAuth: setting('GATEWAY_ADMISSION_AUTH', admission(4, 1_024, 10_000)),
  cacheTtlMs: setting('GATEWAY_CACHE_TTL_MS', schemas.positiveInt.default(30_000)),
  cacheStaleMs: setting('GATEWAY_CACHE_STALE_MS', schemas.positiveInt.default(60_000)),
  cacheMaxEntries: setting('GATEWAY_CACHE_MAX_ENTRIES', schemas.positiveInt.default(2_000)),
}

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  readConfig('gateway', gatewaySettings, env)

export type GatewayConfig = ReturnType<typeof loadConfig>
