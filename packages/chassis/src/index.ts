// What services use. The CLI and tests reach further through `./internal` and `./testing`;
// domain code imports only `./errors` and `./paging`, which load no I/O module.
export { z } from 'zod'
export type { Principal, TokenVerifier } from './auth.js'
export { ACCESS_TOKEN, AuthErrors, bearerToken, requireRole } from './auth.js'
export type { BaseConfig, ConfigOf, Setting, SettingsSpec } from './config.js'
export {
  busSettings,
  ConfigError,
  databaseSettings,
  readConfig,
  schemas,
  setting,
} from './config.js'
export { withRequest } from './context.js'
export type { Db, Queryable, Tx } from './db.js'
export type { ErrorKind, FieldError, Problem } from './errors.js'
export { AppError, CommonErrors, isAppError, retryAfterSeconds, toProblem } from './errors.js'
export { type EventStream, type EventStreams, eventStreams } from './event-stream.js'
export type { DeliveredEvent, Subscription } from './events/event-bus.js'
export type {
  Delivery,
  Emit,
  EventHandlers,
  ListeningEvents,
  PendingEvent,
  ServiceEvents,
} from './events/service-events.js'
export { emitterOf, eventOf } from './events/service-events.js'
export type { BreakerOptions, CallOptions, ServiceClient } from './grpc-client.js'
export type { GrpcBinding } from './grpc-server.js'
export { bindGrpc } from './grpc-server.js'
export type { CallContext, Handlers } from './grpc-types.js'
export { keepHeapSnug } from './heap.js'
export { httpLogging, instrumentHttp } from './http-telemetry.js'
export { advisoryLocks } from './locks.js'
export type { Logger } from './logger.js'
export type { Metrics } from './metrics.js'
export { serviceCounter, serviceHistogram } from './metrics.js'
export type { PageStart, PageTokens } from './paging.js'
export { clampPageSize, pageTokens } from './paging.js'
export type {
  Clock,
  Env,
  Peers,
  RunningService,
  ServiceContext,
  ServiceParts,
  ServiceStarter,
  StartOptions,
} from './service.js'
export { defineService, peer, runAsMain } from './service.js'
export type { Span, SpanOptions, Telemetry } from './telemetry.js'
export { activeIds, activeTraceparent, SpanKind } from './telemetry.js'
export type { RunOutcome, Timer, TimerSpec } from './timer.js'
