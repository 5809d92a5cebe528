import {
  busSettings,
  ConfigError,
  databaseSettings,
  readConfig,
  schemas,
  setting,
  z,
} from '@microshop/chassis'

const HOUR_SECONDS = 3_600
// the launcher passes a key from secrets.json; only a local run without one falls back to this published one
const LOCAL_FINGERPRINT_KEY = 'microshop-local-idempotency-fingerprint-key'

export const ordersSettings = {
  ...databaseSettings,
  // the saga hears of payments, reservations and shipments only through the bus
  ...busSettings,
  reservationTtlSeconds: setting(
    'ORDERS_RESERVATION_TTL_SECONDS',
    z.coerce.number().int().min(1).max(86_400).default(900),
  ),
  fallbackShippingCents: setting(
    'ORDERS_FALLBACK_SHIPPING_CENTS',
    z.coerce.number().int().min(0).max(1_000_000).default(999),
  ),
  quoteDeadlineMs: setting('ORDERS_QUOTE_DEADLINE_MS', schemas.positiveInt.default(1_000)),
  idempotencyRetentionHours: setting(
    'ORDERS_IDEMPOTENCY_RETENTION_HOURS',
    z.coerce
      .number()
      .int()
      .min(24)
      .max(24 * 365)
      .default(24),
  ),
  idempotencyInFlightSeconds: setting(
    'ORDERS_IDEMPOTENCY_IN_FLIGHT_SECONDS',
    z.coerce.number().int().min(1).max(HOUR_SECONDS).default(60),
  ),
  // keys the idempotency fingerprint (HMAC): the kept value cannot be tested against guessed card numbers
  fingerprintKey: setting(
    'ORDERS_FINGERPRINT_KEY',
    z.string().min(32, 'at least 32 characters, e.g. openssl rand -base64 32').optional(),
  ),
  // a user's orders waiting for payment, and the units they hold reserved: nobody hoards the stock
  maxPendingOrders: setting(
    'ORDERS_MAX_PENDING_PER_USER',
    z.coerce.number().int().min(1).max(1_000).default(5),
  ),
  maxReservedUnits: setting(
    'ORDERS_MAX_RESERVED_UNITS_PER_USER',
    z.coerce.number().int().min(1).max(100_000).default(200),
  ),
  pruneIntervalMs: setting('ORDERS_PRUNE_INTERVAL_MS', schemas.positiveInt.default(HOUR_SECONDS * 1_000)),
  maxPageSize: setting('ORDERS_MAX_PAGE_SIZE', z.coerce.number().int().min(1).max(500).default(100)),
  consumerConcurrency: setting(
    'ORDERS_CONSUMER_CONCURRENCY',
    z.coerce.number().int().min(1).max(64).default(8),
  ),
}

/** Reads the settings; outside local mode the fingerprint key must be given. */
export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const config = readConfig('orders', ordersSettings, env)
  const fingerprintKey = config.fingerprintKey ?? (config.localMode ? LOCAL_FINGERPRINT_KEY : undefined)
  if (!fingerprintKey)
    throw new ConfigError([
      'ORDERS_FINGERPRINT_KEY: required outside local mode (MICROSHOP_LOCAL is not true/1): a secret of 32+ characters',
    ])
  return Object.freeze({ ...config, fingerprintKey })
}

export type OrdersConfig = ReturnType<typeof loadConfig>
