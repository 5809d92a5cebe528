import { type DestinationStream, pino } from 'pino'
import { currentRequest } from './context.js'
import { activeIds } from './telemetry.js'

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
  'wrappedPrivateKey',
  'keyEncryptionKey',
  'secret',
  // a card as a request carries it: number, expiry and CVC go together, never to a log
  'card',
  'cardNumber',
  'cvc',
]

/**
 * JSON logs, one object a line, tagged with service and instance, the request id when there is one and
 * the trace and span ids of the span it was written in; `also` receives every line too (the log exporter).
 */
export function createLogger(opts: {
  service: string
  instance: string
  level?: string
  also?: DestinationStream
  /** Where lines go instead of stdout (services sharing one process: the launcher labels each line). */
  destination?: DestinationStream
}): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    base: { service: opts.service, instance: opts.instance },
    mixin: () => {
      const req = currentRequest()
      const ids = activeIds()
      return {
        ...(req ? { requestId: req.requestId } : {}),
        ...(ids ? { trace_id: ids.traceId, span_id: ids.spanId } : {}),
      }
    },
    redact: { paths: SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]), censor: '[redacted]' },
  }
  const out = opts.destination ?? process.stdout
  if (!opts.also) return pino(options, out)
  const level = (opts.level ?? 'info') as pino.Level
  return pino(
    options,
    pino.multistream([
      { stream: out, level },
      { stream: opts.also, level },
    ]),
  )
}
