import { pino } from 'pino'
import { currentRequest } from './context.js'

export type Logger = pino.Logger

// field names whose values never reach a log line, wherever they sit in the first three levels
const SECRET_FIELDS = [
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'cartToken',
  'authorization',
  'privateJwk',
  'secret',
]

/** JSON logs, one object a line, tagged with service and instance, and the request id when there is one. */
export function createLogger(opts: { service: string; instance: string; level?: string }): Logger {
  return pino({
    level: opts.level ?? 'info',
    base: { service: opts.service, instance: opts.instance },
    mixin: () => {
      const req = currentRequest()
      return req ? { requestId: req.requestId } : {}
    },
    redact: { paths: SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]), censor: '[redacted]' },
  })
}
