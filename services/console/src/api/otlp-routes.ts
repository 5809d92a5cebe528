import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import type { AppError } from '@microshop/chassis'
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import type { Encoding, Receiver, RejectReason } from '../app/receive-telemetry.js'
import { ConsoleErrors } from '../domain/errors.js'
import type { Signal } from '../domain/telemetry.js'
import { classify, sendProblem } from './problems.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The OTLP signal a receiver route takes. */
    signal?: Signal
  }
}

const MEDIA_TYPES: Record<string, Encoding> = {
  'application/x-protobuf': 'protobuf',
  'application/protobuf': 'protobuf',
  'application/json': 'json',
}

// refusals before the receiver decoded anything: it counts its own (malformed protobuf or JSON)
const REJECTED_AS: Record<string, RejectReason> = {
  CONSOLE_MALFORMED_GZIP: 'malformed',
  CONSOLE_BAD_REQUEST: 'malformed',
  CONSOLE_BODY_TOO_LARGE: 'too_large',
  CONSOLE_UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  CONSOLE_UNSUPPORTED_ENCODING: 'unsupported_encoding',
}

const unzip = promisify(gunzip)

function encodingOf(request: FastifyRequest): Encoding {
  const type = request.headers['content-type']
  const encoding = MEDIA_TYPES[(type ?? '').split(';')[0]!.trim().toLowerCase()]
  if (!encoding) throw ConsoleErrors.unsupportedMediaType(type)
  return encoding
}

/** The body as sent, gunzipped when it says so; the limit holds for what it decompresses to as well. */
async function bodyOf(request: FastifyRequest, limit: number): Promise<Uint8Array> {
  const raw = (request.body as Buffer | undefined) ?? Buffer.alloc(0)
  const coding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase()
  if (coding === 'identity' || coding === '') return raw
  if (coding !== 'gzip' && coding !== 'x-gzip') throw ConsoleErrors.unsupportedEncoding(coding)
  try {
    return await unzip(raw, { maxOutputLength: limit })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw ConsoleErrors.bodyTooLarge(limit)
    throw ConsoleErrors.malformedGzip()
  }
}

/**
 * The OTLP/HTTP receiver: `POST /v1/traces`, `/v1/logs`, `/v1/metrics` in protobuf or JSON, gzipped or not.
 * Success is 200 with an empty Export…ServiceResponse in the request's encoding.
 */
export function otlpRoutes(deps: { receiver: Receiver; bodyLimit: number }) {
  return async (scope: FastifyInstance) => {
    // the body is decoded by the receiver, whatever its type: here it is only read, up to the limit
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(Object.keys(MEDIA_TYPES), { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    )
    scope.setErrorHandler((err: FastifyError, request, reply) => {
      const known: AppError | undefined = classify(err, request, deps.bodyLimit)
      const signal = request.routeOptions.config.signal
      const reason = known && REJECTED_AS[known.code]
      if (signal && reason) deps.receiver.rejected(signal, reason)
      if (!known) request.log.error({ err, url: request.url }, 'OTLP request failed')
      return sendProblem(reply, request, known ?? err)
    })
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      scope.post(`/v1/${signal}`, { config: { signal } }, async (request, reply) => {
        const encoding = encodingOf(request)
        deps.receiver.receive(signal, encoding, await bodyOf(request, deps.bodyLimit))
        return encoding === 'json'
          ? reply.type('application/json').send('{}')
          : reply.type('application/x-protobuf').send(Buffer.alloc(0))
      })
    }
  }
}
