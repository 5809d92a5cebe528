import { busSettings, databaseSettings, readConfig, schemas, setting, z } from '@microshop/chassis'
import { MAX_TTL_SECONDS } from './domain/reservation.js'

export const inventorySettings = {
  ...databaseSettings,
  // payments and cancellations move reservations; the catalog's new products arrive here
  ...busSettings,
  reservationTtlSeconds: setting(
    'INVENTORY_RESERVATION_TTL_SECONDS',
    z.coerce.number().int().min(1).max(MAX_TTL_SECONDS).default(900),
  ),
  sweepIntervalMs: setting(
    'INVENTORY_SWEEP_INTERVAL_MS',
    z.coerce.number().int().min(10).max(3_600_000).default(1_000),
  ),
  lowStockThreshold: setting(
    'INVENTORY_LOW_STOCK_THRESHOLD',
    z.coerce.number().int().min(0).max(1_000_000).default(5),
  ),
  seed: setting('INVENTORY_SEED', schemas.boolean.default(true)),
  seedRetryMs: setting(
    'INVENTORY_SEED_RETRY_MS',
    z.coerce.number().int().min(10).max(600_000).default(2_000),
  ),
  consumerConcurrency: setting(
    'INVENTORY_CONSUMER_CONCURRENCY',
    z.coerce.number().int().min(1).max(64).default(8),
  ),
}

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  readConfig('inventory', inventorySettings, env)

export type InventoryConfig = ReturnType<typeof loadConfig>
