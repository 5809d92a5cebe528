import { Metadata, type ServiceError } from '@grpc/grpc-js'
import {
  AppError,
  CommonErrors,
  type ErrorKind,
  type FieldError,
  GrpcStatus,
  isAppError,
  kindTable,
} from './errors.js'

const CODE_KEY = 'x-error-code'
const RETRYABLE_KEY = 'x-error-retryable'
const FIELDS_KEY = 'x-error-fields-bin'
const RETRY_AFTER_KEY = 'x-error-retry-after-ms'

/** An AppError as a gRPC status; anything else becomes a bare INTERNAL that reveals nothing. */
export function toGrpcError(err: unknown): Partial<ServiceError> {
  const app = isAppError(err) ? err : CommonErrors.internal(err)
  const metadata = new Metadata()
  metadata.set(CODE_KEY, app.code)
  metadata.set(RETRYABLE_KEY, String(app.retryable))
  if (app.fields.length > 0) metadata.set(FIELDS_KEY, Buffer.from(JSON.stringify(app.fields)))
  if (app.retryAfterMs !== undefined) metadata.set(RETRY_AFTER_KEY, String(Math.ceil(app.retryAfterMs)))
  return { code: kindTable[app.kind].grpc, details: app.message, metadata }
}

const kindByGrpc = new Map<number, ErrorKind>(
  Object.entries(kindTable).map(([kind, v]) => [v.grpc, kind as ErrorKind] as const),
)
kindByGrpc.set(GrpcStatus.CANCELLED, 'unavailable')
kindByGrpc.set(GrpcStatus.UNKNOWN, 'internal')

/** A gRPC failure from `service` as an AppError, keeping the code the server chose. */
export function fromGrpcError(err: ServiceError, service: string): AppError {
  const code = err.metadata?.get(CODE_KEY)[0]
  if (typeof code === 'string') {
    const fieldsRaw = err.metadata.get(FIELDS_KEY)[0]
    const fields = Buffer.isBuffer(fieldsRaw) ? (JSON.parse(fieldsRaw.toString()) as FieldError[]) : []
    const kind = kindByGrpc.get(err.code) ?? 'internal'
    return new AppError(kind, code, err.details, {
      fields,
      retryable: err.metadata.get(RETRYABLE_KEY)[0] === 'true',
      retryAfterMs: Number(err.metadata.get(RETRY_AFTER_KEY)[0]) || undefined,
      cause: err,
    })
  }
  if (err.code === GrpcStatus.DEADLINE_EXCEEDED) return CommonErrors.timeout(service, err)
  if (err.code === GrpcStatus.UNAVAILABLE || err.code === GrpcStatus.CANCELLED)
    return CommonErrors.unavailable(service, err)
  return CommonErrors.internal(err)
}
