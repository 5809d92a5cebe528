import { busUrlSchema, readConfig, schemas, setting, z } from '@microshop/chassis'

export const catalogSettings = {
  databaseUrl: setting('DATABASE_URL', schemas.postgresUrl),
  // without it, events wait in the outbox until the catalog runs with a bus
  busUrl: setting('BUS_URL', busUrlSchema.optional()),
  maxPageSize: setting('CATALOG_MAX_PAGE_SIZE', z.coerce.number().int().min(1).max(500).default(100)),
  seed: setting('CATALOG_SEED', schemas.boolean.default(true)),
}

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  readConfig('catalog', catalogSettings, env)

export type CatalogConfig = ReturnType<typeof loadConfig>
