import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { startCatalog } from '../services/catalog/src/main.js'
import { type InProcessService, startInProcess } from './in-process.js'

export type TestCatalog = InProcessService<typeof CatalogServiceService>

/** The real catalog, in this process, on free loopback ports, with a real gRPC client pointed at it. */
export const startTestCatalog = (
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<TestCatalog> => startInProcess('catalog', startCatalog, CatalogServiceService, databaseUrl, env)
