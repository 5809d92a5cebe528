import { createServiceClient, type RunningService, type ServiceClient } from '@microshop/chassis'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { startCatalog } from '../services/catalog/src/main.js'
import { silentLogger, staticDiscovery } from './grpc.js'

export interface TestCatalog {
  service: RunningService
  /** `127.0.0.1:<grpcPort>` */
  target: string
  /** `http://127.0.0.1:<httpPort>`, the health and metrics listener. */
  httpUrl: string
  client: ServiceClient<typeof CatalogServiceService>
  stop(): Promise<void>
}

/** The real catalog, in this process, on free loopback ports, with a real gRPC client pointed at it. */
export async function startTestCatalog(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<TestCatalog> {
  const service = await startCatalog(
    {
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      GRPC_PORT: '0',
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
      ...env,
    },
    { handleSignals: false },
  )
  const target = `127.0.0.1:${service.grpcPort}`
  const client = createServiceClient({
    service: 'catalog',
    definition: CatalogServiceService,
    discovery: staticDiscovery([target]),
    log: silentLogger,
    deadlineMs: 10_000,
  })
  return {
    service,
    target,
    httpUrl: `http://127.0.0.1:${service.httpPort}`,
    client,
    async stop() {
      client.close()
      await service.stop()
    },
  }
}
