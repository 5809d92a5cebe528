import {
  createServiceClient,
  type RunningService,
  type ServiceClient,
  type ServiceDefinition,
} from '@microshop/chassis'
import { silentLogger, staticDiscovery } from './grpc.js'

type Starter = (env: Record<string, string>, opts: { handleSignals: boolean }) => Promise<RunningService>

export interface InProcessService<D extends ServiceDefinition> {
  service: RunningService
  /** `127.0.0.1:<grpcPort>` */
  target: string
  /** `http://127.0.0.1:<httpPort>`, the health and metrics listener. */
  httpUrl: string
  client: ServiceClient<D>
  stop(): Promise<void>
}

/** A real service, in this process, on free loopback ports, with a real gRPC client pointed at it. */
export async function startInProcess<D extends ServiceDefinition>(
  name: string,
  start: Starter,
  definition: D,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<InProcessService<D>> {
  const service = await start(
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
    service: name,
    definition,
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
