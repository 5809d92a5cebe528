import { busSettings, databaseSettings, readConfig, schemas, setting, z } from '@microshop/chassis'

const HOUR_SECONDS = 3_600

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
  pruneIntervalMs: setting('ORDERS_PRUNE_INTERVAL_MS', schemas.positiveInt.default(HOUR_SECONDS * 1_000)),
  maxPageSize: setting('ORDERS_MAX_PAGE_SIZE', z.coerce.number().int().min(1).max(500).default(100)),
  consumerConcurrency: setting(
    'ORDERS_CONSUMER_CONCURRENCY',
    z.coerce.number().int().min(1).max(64).default(8),
  ),
}

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  readConfig('orders', ordersSettings, env)

export type OrdersConfig = ReturnType<typeof loadConfig>
