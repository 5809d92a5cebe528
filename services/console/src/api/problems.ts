import { AppError, isAppError, type Logger, retryAfterSeconds, toProblem } from '@microshop/chassis'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ConsoleErrors } from '../domain/errors.js'

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8'

// statuses HTTP has and the error kinds do not
const STATUS_OVERRIDE: Record<string, number> = {
  CONSOLE_BODY_TOO_LARGE: 413,
  CONSOLE_UNSUPPORTED_MEDIA_TYPE: 415,
  CONSOLE_UNSUPPORTED_ENCODING: 415,
}

/** What a framework error (body parsing, limits) means to a client, as an AppError. */
export function classify(
  err: FastifyError,
  request: FastifyRequest,
  bodyLimit: number,
): AppError | undefined {
  if (isAppError(err)) return err
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return ConsoleErrors.bodyTooLarge(bodyLimit)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return ConsoleErrors.unsupportedMediaType(request.headers['content-type'])
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return new AppError('invalid_argument', 'CONSOLE_BAD_REQUEST', err.message)
  return undefined
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, err: unknown): FastifyReply {
  const problem = toProblem(err, request.id)
  problem.status = STATUS_OVERRIDE[problem.code] ?? problem.status
  const retryAfter = retryAfterSeconds(err) ?? (problem.status === 503 ? 1 : undefined)
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter))
  return reply.code(problem.status).type(PROBLEM_TYPE).send(problem)
}

/** Every error leaves the console as RFC 9457 problem+json with a stable code and no stack. */
export function registerProblemHandlers(
  app: FastifyInstance,
  opts: { log: Logger; bodyLimit: number },
): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const known = classify(err, request, opts.bodyLimit)
    if (!known || known.kind === 'internal') opts.log.error({ err, url: request.url }, 'request failed')
    return sendProblem(reply, request, known ?? err)
  })
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, ConsoleErrors.routeNotFound(request.method, request.url.split('?')[0] ?? '')),
  )
}
