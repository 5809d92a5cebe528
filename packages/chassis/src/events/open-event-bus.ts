import { z } from 'zod'
import type { Logger } from '../logger.js'
import type { EventBus } from './event-bus.js'
import type { LoggedEvent } from './nats/nats-log.js'

/** BUS_URL: `postgres://…/bus` (its own database) or `nats://host:4222` (JetStream). */
export const busUrlSchema = z
  .string()
  .regex(/^(postgres(ql)?|nats):\/\/.+/, 'expected a postgres:// or nats:// URL')

export interface OpenEventBusOptions {
  log: Logger
  /** Names the connections (application_name, NATS client name): the instance id. */
  name?: string
  /** Postgres: the safety-net poll behind LISTEN/NOTIFY. */
  pollMs?: number
  /** Postgres: how often group members look for instances that came or went. */
  rebalanceMs?: number
  /** Postgres: how often a position moved only by reading past other groups' events is stored. */
  positionFlushMs?: number
  retentionMs?: number
}

/** The event log the URL names, by scheme; only the adapter in use is loaded. */
export async function openEventBus(url: string, opts: OpenEventBusOptions): Promise<EventBus> {
  const scheme = url.slice(0, url.indexOf(':'))
  if (scheme === 'postgres' || scheme === 'postgresql')
    return (await import('./postgres/postgres-bus.js')).createPostgresBus(url, opts)
  if (scheme === 'nats') return (await import('./nats/nats-bus.js')).createNatsBus(url, opts)
  throw new Error(`BUS_URL: unknown scheme ${scheme}: (expected postgres:// or nats://)`)
}

/** The id and type of each event of these types in the NATS log at `url` (an audit's read); loads the adapter then. */
export async function readNatsLog(url: string, types: readonly string[]): Promise<LoggedEvent[]> {
  return (await import('./nats/nats-log.js')).readNatsEvents(url, types)
}
