import { busSettings, databaseSettings, readConfig, schemas, setting, z } from '@microshop/chassis'

export const catalogSettings = {
  ...databaseSettings,
  ...busSettings,
  maxPageSize: setting('CATALOG_MAX_PAGE_SIZE', z.coerce.number().int().min(1).max(500).default(100)),
  seed: setting('CATALOG_SEED', schemas.boolean.default(true)),
}

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  readConfig('catalog', catalogSettings, env)

export type CatalogConfig = ReturnType<typeof loadConfig>
