export { z } from 'zod'
export type { Principal, TokenVerifier } from './auth.js'
export { ACCESS_TOKEN, AuthErrors, bearerToken, createTokenVerifier, requireRole } from './auth.js'
export type { BaseConfig, ConfigOf, Setting, SettingsSpec } from './config.js'
export { baseSettings, ConfigError, readConfig, schemas, setting } from './config.js'
export type { RequestContext } from './context.js'
export { currentRequest, withRequest } from './context.js'
export type { Db, Queryable } from './db.js'
export { createDb } from './db.js'
export type { Discovery, Instance } from './discovery.js'
export { createDnsDiscovery, createRegistryDiscovery, listInstances } from './discovery.js'
export type { ErrorKind, FieldError, Problem } from './errors.js'
export {
  AppError,
  CommonErrors,
  fromGrpcError,
  isAppError,
  retryAfterSeconds,
  toGrpcError,
  toProblem,
} from './errors.js'
export type { CloudEvent, EventType, MessageCodec, NewEvent } from './events/cloud-event.js'
export { defineEvent, toCloudEvent } from './events/cloud-event.js'
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
export { ensureEventTables } from './events/event-tables.js'
export type { InboxHandler } from './events/inbox.js'
export { resetInbox, withInbox } from './events/inbox.js'
export type { OpenEventBusOptions } from './events/open-event-bus.js'
export { busUrlSchema, openEventBus } from './events/open-event-bus.js'
export type { Outbox } from './events/outbox.js'
export { createOutbox } from './events/outbox.js'
export type { OutboxRelay, OutboxRelayOptions } from './events/outbox-relay.js'
export { startOutboxRelay } from './events/outbox-relay.js'
export type { BreakerOptions, BreakerState, CallOptions, ServiceClient } from './grpc-client.js'
export { createServiceClient } from './grpc-client.js'
export type { GrpcBinding } from './grpc-server.js'
export { bindGrpc, createGrpcServer } from './grpc-server.js'
export type { CallContext, Handlers, RequestOf, ResponseOf, ServiceDefinition } from './grpc-types.js'
export type { Logger } from './logger.js'
export { createLogger } from './logger.js'
export type { Metrics } from './metrics.js'
export { createMetrics, serviceCounter } from './metrics.js'
export { loadMigrations, runMigrations } from './migrations.js'
export { packageDir } from './paths.js'
export type { RunningService, ServiceContext, ServiceParts, ServiceSpec } from './service.js'
export { runAsMain, startService } from './service.js'
