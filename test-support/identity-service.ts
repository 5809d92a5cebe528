import {
  type Clock,
  type RunningService,
  type ServiceClient,
  type TokenVerifier,
  withRequest,
} from '@microshop/chassis'
import { createTokenVerifier } from '@microshop/chassis/internal'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import type { JSONWebKeySet } from 'jose'
import { startIdentity } from '../services/identity/src/main.js'
import { startInProcess } from './in-process.js'

export type IdentityClient = ServiceClient<typeof IdentityServiceService>

export interface TestIdentity {
  service: RunningService
  /** `127.0.0.1:<grpcPort>` */
  target: string
  client: IdentityClient
  /** The key set the service publishes now. */
  jwks(): Promise<JSONWebKeySet>
  /** A fresh verifier, as another service would build one, fed by GetJwks, on the service's clock. */
  verifier(): TokenVerifier
  stop(): Promise<void>
}

/** Runs fn with `authorization: Bearer <token>` on every call it makes, as a gateway would forward it. */
export const asCaller = <T>(token: string, fn: () => Promise<T>): Promise<T> =>
  withRequest({ authorization: `Bearer ${token}` }, fn)

/**
 * The real identity service, in this process, on free loopback ports, with a real gRPC client pointed at it.
 * With a `clock` (a `manualClock().now`), the service and every verifier it hands out live on that time.
 */
export async function startTestIdentity(
  databaseUrl: string,
  env: Record<string, string> = {},
  opts: { clock?: Clock } = {},
): Promise<TestIdentity> {
  const running = await startInProcess('identity', startIdentity, IdentityServiceService, databaseUrl, env, {
    clock: opts.clock,
  })
  const jwks = async () => JSON.parse((await running.client.call('getJwks', {})).jwksJson) as JSONWebKeySet
  return { ...running, jwks, verifier: () => createTokenVerifier({ keys: jwks, clock: opts.clock }) }
}
