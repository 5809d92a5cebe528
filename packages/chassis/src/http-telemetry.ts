import { context } from '@opentelemetry/api'
import { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest, LogController } from 'fastify'
import { type RequestContext, requestIn } from './context.js'
import type { Logger } from './logger.js'
import type { Metrics } from './metrics.js'
import { type Span, SpanKind, SpanStatusCode, type Telemetry } from './telemetry.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's server span (set by instrumentHttp). */
    serverSpan?: Span
  }
}

/**
 * The logging options of a public HTTP app: the service's logger, no line per request (the server span and
 * http_server_request_duration_seconds tell it), and no child logger per request (pino's bindings and
 * redaction cost 3 % of a gateway 404's CPU): the logger's mixin already stamps each line with the request
 * id and the trace of the request's context.
 */
export const httpLogging = (log: Logger) => ({
  loggerInstance: log as FastifyBaseLogger,
  logController: new LogController({ disableRequestLogging: true }),
  childLoggerFactory: (logger: FastifyBaseLogger) => logger,
})

/**
 * Makes every request of a public HTTP app a server span named after its route template (a client's own
 * `traceparent` header continues its trace), counts it in http_server_request_duration_seconds, and runs
 * its handlers in the request's context (request id, caller).
 */
export function instrumentHttp(
  app: FastifyInstance,
  deps: {
    telemetry: Telemetry
    metrics: Metrics
    requestContext(request: FastifyRequest): Partial<RequestContext>
  },
): void {
  app.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url
    const header = request.headers.traceparent
    const { span, context: active } = deps.telemetry.startSpan(
      route ? `${request.method} ${route}` : request.method,
      {
        kind: SpanKind.SERVER,
        parent: typeof header === 'string' ? header : undefined,
        attributes: {
          'http.request.method': request.method,
          'url.path': request.url.split('?')[0] ?? request.url,
          ...(route ? { 'http.route': route } : {}),
        },
      },
    )
    request.serverSpan = span
    reply.header('x-request-id', request.id)
    context.with(requestIn(active, { requestId: request.id, ...deps.requestContext(request) }), done)
  })
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched'
    const status = reply.statusCode
    const span = request.serverSpan
    if (span) {
      span.setAttribute('http.response.status_code', status)
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
      span.end()
    }
    deps.metrics.http.observe(
      { http_request_method: request.method, http_route: route, http_response_status_code: status },
      reply.elapsedTime / 1000,
    )
    done()
  })
}
