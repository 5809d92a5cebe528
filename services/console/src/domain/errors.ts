import { AppError, type FieldError } from '@microshop/chassis/errors'

/** The console's error codes; the HTTP status of the three transport ones is set at the edge (413, 415). */
export const ConsoleErrors = {
  malformedProtobuf: (what: string, reason: string) =>
    new AppError('invalid_argument', 'CONSOLE_MALFORMED_PROTOBUF', `not a valid ${what}: ${reason}`),
  malformedJson: (what: string, reason: string) =>
    new AppError('invalid_argument', 'CONSOLE_MALFORMED_JSON', `not a valid OTLP/JSON ${what}: ${reason}`),
  malformedGzip: () =>
    new AppError('invalid_argument', 'CONSOLE_MALFORMED_GZIP', 'the body is not valid gzip data'),
  bodyTooLarge: (limitBytes: number) =>
    new AppError(
      'invalid_argument',
      'CONSOLE_BODY_TOO_LARGE',
      `the body is larger than ${limitBytes} bytes (decompressed): send smaller batches`,
    ),
  unsupportedMediaType: (got: string | undefined) =>
    new AppError(
      'invalid_argument',
      'CONSOLE_UNSUPPORTED_MEDIA_TYPE',
      `send application/x-protobuf or application/json (got ${got ? JSON.stringify(got) : 'none'})`,
    ),
  unsupportedEncoding: (got: string) =>
    new AppError(
      'invalid_argument',
      'CONSOLE_UNSUPPORTED_ENCODING',
      `content-encoding ${JSON.stringify(got)} is not supported: send gzip or identity`,
    ),
  invalidQuery: (fields: FieldError[]) =>
    new AppError(
      'invalid_argument',
      'CONSOLE_INVALID_QUERY',
      `invalid query: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`,
      { fields },
    ),
  traceNotFound: (traceId: string) =>
    new AppError(
      'not_found',
      'CONSOLE_TRACE_NOT_FOUND',
      `no trace ${traceId} here (it may have been evicted)`,
    ),
  registryUnavailable: (cause: unknown) =>
    new AppError('unavailable', 'CONSOLE_REGISTRY_UNAVAILABLE', 'the service registry is unavailable', {
      cause,
    }),
  routeNotFound: (method: string, path: string) =>
    new AppError('not_found', 'ROUTE_NOT_FOUND', `no route ${method} ${path}`),
}
