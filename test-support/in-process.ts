import type { Clock, RunningService, ServiceClient, ServiceStarter } from '@microshop/chassis'
import { createServiceClient, type ServiceDefinition } from '@microshop/chassis/internal'
import { silentLogger, staticDiscovery } from '@microshop/chassis/testing'
import { createTestDatabase, type TestDatabase } from './db.js'

let sharedBus: Promise<TestDatabase> | undefined
const fileBus = () => {
  sharedBus ??= createTestDatabase('file_bus')
  return sharedBus
}

export interface InProcessService<D extends ServiceDefinition> {
  service: RunningService
  /** `127.0.0.1:<grpcPort>` */
  target: string
  /** `http://127.0.0.1:<httpPort>`, the health and metrics listener. */
  httpUrl: string
  /** BUS_URL the service was started with: the one given, or the test file's own event log. */
  busUrl: string
  client: ServiceClient<D>
  stop(): Promise<void>
}

/**
 * A real service, in this process, on free loopback ports, with a real gRPC client pointed at it.
 * Without a BUS_URL in env, it uses one event log shared by the services of this test file (this process),
 * as the services of one system share theirs; the test run's cluster goes with it. A `clock` replaces the
 * service's time, for tests that move past a TTL instead of sleeping it out.
 */
export async function startInProcess<D extends ServiceDefinition>(
  name: string,
  start: ServiceStarter,
  definition: D,
  databaseUrl: string,
  env: Record<string, string> = {},
  opts: { clock?: Clock } = {},
): Promise<InProcessService<D>> {
  const busUrl = env.BUS_URL ?? (await fileBus()).url
  const service = await start(
    {
      DATABASE_URL: databaseUrl,
      BUS_URL: busUrl,
      HOST: '127.0.0.1',
      GRPC_PORT: '0',
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
      // plaintext gRPC unless the test gives the service a certificate (TLS_DIR, see tls.ts)
      ...(env.TLS_DIR ? {} : { GRPC_INSECURE: 'true' }),
      // as the launcher runs them: identity's admin may have the README's local password
      MICROSHOP_LOCAL: '1',
      ...env,
    },
    { handleSignals: false, clock: opts.clock },
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
    busUrl,
    client,
    async stop() {
      client.close()
      await service.stop()
    },
  }
}
