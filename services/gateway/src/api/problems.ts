import {
  AppError,
  type FieldError,
  isAppError,
  type Logger,
  retryAfterSeconds,
  toProblem,
} from '@microshop/chassis'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { loggableUrl } from '../domain/loggable-url.js'

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8'
const RETRY_AFTER_SECONDS = '1'

interface AjvError {
  instancePath: string
  message?: string
  params: Record<string, unknown>
}

/** Ajv's errors as fields a person recognises: `pageSize`, `price.amount`. */
function fieldsOf(errors: AjvError[]): FieldError[] {
  return errors.map((e) => {
    const path = e.instancePath.replace(/^\//, '').replaceAll('/', '.')
    const missing = typeof e.params.missingProperty === 'string' ? e.params.missingProperty : undefined
    const extra = typeof e.params.additionalProperty === 'string' ? e.params.additionalProperty : undefined
    const field = [path, missing ?? extra].filter(Boolean).join('.') || 'body'
    return { field, message: extra ? 'is not a known field' : (e.message ?? 'is invalid') }
  })
}

/** What a framework or parsing error means to a client, as an AppError. */
function classify(err: FastifyError): AppError | undefined {
  if (err.validation) {
    const fields = fieldsOf(err.validation as AjvError[])
    const where = err.validationContext ?? 'request'
    return new AppError(
      'invalid_argument',
      'INVALID_ARGUMENT',
      `invalid ${where}: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`,
      {
        fields,
      },
    )
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_argument', 'MALFORMED_JSON', 'the request body is not valid JSON')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('invalid_argument', 'BODY_TOO_LARGE', 'the request body is too large')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('invalid_argument', 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json')
  }
  return undefined
}

const STATUS_OVERRIDE: Record<string, number> = {
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  // the idempotency contract of POST /api/orders, whatever kind orders gives them
  ORDERS_IDEMPOTENCY_KEY_REUSED: 422,
  ORDERS_IDEMPOTENCY_IN_FLIGHT: 409,
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, err: unknown): FastifyReply {
  const problem = toProblem(err, request.id, request.serverSpan?.spanContext().traceId)
  problem.status = STATUS_OVERRIDE[problem.code] ?? problem.status
  const retryAfter = retryAfterSeconds(err)
  if (retryAfter !== undefined) {
    reply.header('retry-after', String(retryAfter))
    // Retry-After counts whole seconds; the exact wait, for clients that read it
    if (isAppError(err) && err.retryAfterMs !== undefined)
      reply.header('retry-after-ms', String(err.retryAfterMs))
  } else if ((problem.status === 503 || problem.status === 429) && !reply.hasHeader('retry-after'))
    reply.header('retry-after', RETRY_AFTER_SECONDS)
  return reply.code(problem.status).type(PROBLEM_TYPE).send(problem)
}

/** Every error leaves the gateway as RFC 9457 problem+json with a stable code and no stack. */
export function registerProblemHandlers(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const known = isAppError(err) ? err : classify(err)
    if (!known || known.kind === 'internal')
      log.error({ err, url: loggableUrl(request.url) }, 'request failed')
    else if (known.kind === 'unavailable' || known.kind === 'deadline_exceeded')
      log.warn({ code: known.code, url: loggableUrl(request.url) }, 'upstream failed')
    return sendProblem(reply, request, known ?? err)
  })
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      request,
      new AppError('not_found', 'ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  )
}
