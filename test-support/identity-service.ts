import {
  createServiceClient,
  createTokenVerifier,
  type RunningService,
  type ServiceClient,
  type TokenVerifier,
  withRequest,
} from '@microshop/chassis'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import type { JSONWebKeySet } from 'jose'
import { startIdentity } from '../services/identity/src/main.js'
import { silentLogger, staticDiscovery } from './grpc.js'

export type IdentityClient = ServiceClient<typeof IdentityServiceService>

export interface TestIdentity {
  service: RunningService
  /** `127.0.0.1:<grpcPort>` */
  target: string
  client: IdentityClient
  /** The key set the service publishes now. */
  jwks(): Promise<JSONWebKeySet>
  /** A fresh verifier, as another service would build one, fed by GetJwks. */
  verifier(): TokenVerifier
  stop(): Promise<void>
}

/** Runs fn with `authorization: Bearer <token>` on every call it makes, as a gateway would forward it. */
export const asCaller = <T>(token: string, fn: () => Promise<T>): Promise<T> =>
  withRequest({ authorization: `Bearer ${token}` }, fn)

/** The real identity service, in this process, on free loopback ports, with a real gRPC client pointed at it. */
export async function startTestIdentity(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<TestIdentity> {
  const service = await startIdentity(
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
    service: 'identity',
    definition: IdentityServiceService,
    discovery: staticDiscovery([target]),
    log: silentLogger,
    deadlineMs: 10_000,
  })
  const jwks = async () => JSON.parse((await client.call('getJwks', {})).jwksJson) as JSONWebKeySet
  return {
    service,
    target,
    client,
    jwks,
    verifier: () => createTokenVerifier({ keys: jwks }),
    async stop() {
      client.close()
      await service.stop()
    },
  }
}
