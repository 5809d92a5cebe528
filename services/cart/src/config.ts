import { busSettings, databaseSettings, readConfig, schemas, setting, z } from '@microshop/chassis'

// the catalog answers at most 200 ids per GetProducts: a cart must stay below that to be priced in one call
const MAX_LINES_CEILING = 200

export const cartSettings = {
  ...databaseSettings,
  // OrderCreated arrives here and clears the ordered lines
  ...busSettings,
  maxQuantity: setting('CART_MAX_QUANTITY', z.coerce.number().int().min(1).max(10_000).default(99)),
  maxLines: setting('CART_MAX_LINES', z.coerce.number().int().min(1).max(MAX_LINES_CEILING).default(50)),
  anonymousTtlDays: setting('CART_ANONYMOUS_TTL_DAYS', z.coerce.number().int().min(1).max(3650).default(30)),
  pruneIntervalMs: setting('CART_PRUNE_INTERVAL_MS', schemas.positiveInt.default(60 * 60_000)),
}

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  readConfig('cart', cartSettings, env)

export type CartConfig = ReturnType<typeof loadConfig>
