// What the launcher, the benchmarks and the tests need beyond what services use: the event log itself,
// the registry and the building blocks a service is made of. Services do not import this.
export type { ServiceRole } from './access.js'
export { ownedEventTypes, secureBus, secureRegistry } from './access.js'
export type { TokenVerifier } from './auth.js'
export { ACCESS_TOKEN, createTokenVerifier } from './auth.js'
export { baseSettings } from './config.js'
export { currentRequest } from './context.js'
export { createDb, ensureSchema, inTransaction, withConnection } from './db.js'
export type { Discovery, Instance } from './discovery.js'
export {
  createDnsDiscovery,
  createRegistryDiscovery,
  HEARTBEAT_MS,
  listInstances,
  REGISTRY_DDL,
  TTL_SECONDS,
} from './discovery.js'
export type { CloudEvent, EventType, MessageCodec, NewEvent } from './events/cloud-event.js'
export { defineEvent, eventSource, toCloudEvent } from './events/cloud-event.js'
export type {
  DeadLetter,
  DeliveredEvent,
  EventBus,
  EventHandler,
  EventTypeRef,
  ReplayFrom,
  SubscribeOptions,
  Subscription,
} from './events/event-bus.js'
export type { EventSigner, EventVerifier, SignatureProblem } from './events/event-signature.js'
export {
  canonicalEvent,
  createEventSigner,
  createEventVerifier,
  SIGNATURE_ATTRIBUTE,
  SIGNER_ATTRIBUTE,
} from './events/event-signature.js'
export { ensureEventTables } from './events/event-tables.js'
export type { InboxHandler } from './events/inbox.js'
export { recordInInbox, resetInbox, withInbox } from './events/inbox.js'
export type { LoggedEvent } from './events/nats/nats-log.js'
export type { OpenEventBusOptions } from './events/open-event-bus.js'
export { busUrlSchema, openEventBus, readNatsLog } from './events/open-event-bus.js'
export type { Outbox } from './events/outbox.js'
export { createOutbox } from './events/outbox.js'
export type { OutboxRelay, OutboxRelayOptions } from './events/outbox-relay.js'
export { startOutboxRelay } from './events/outbox-relay.js'
export { ensureBusSchema } from './events/postgres/bus-schema.js'
export { toNewEvent } from './events/service-events.js'
export type { BreakerState, ServiceClientOptions } from './grpc-client.js'
export { createServiceClient } from './grpc-client.js'
export { fromGrpcError, toGrpcError } from './grpc-errors.js'
export { createGrpcServer } from './grpc-server.js'
export type { ServiceDefinition } from './grpc-types.js'
export type { Dispatch, InProcessRegistry, InProcessServer } from './in-process.js'
export {
  createInProcessRegistry,
  createInProcessServer,
  IN_PROCESS,
  inProcessTransport,
} from './in-process.js'
export { advisoryLocks } from './locks.js'
export { createLogExporter } from './log-export.js'
export { createLogger } from './logger.js'
export { createMetrics } from './metrics.js'
export { loadMigrations, runMigrations } from './migrations.js'
export { packageDir } from './paths.js'
export { createLocalTelemetry, createTelemetry, formatTraceparent, parseTraceparent } from './telemetry.js'
export { startTimer } from './timer.js'
