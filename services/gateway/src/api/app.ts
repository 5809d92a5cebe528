import { randomUUID } from 'node:crypto'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { type Logger, type Metrics, withRequest } from '@microshop/chassis'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import type { ProductViews } from '../app/products.js'
import { registerProblemHandlers } from './problems.js'
import { registerProductRoutes } from './routes/products.js'
import { registerStaticRoutes } from './routes/static.js'
import { sharedSchemas } from './schemas.js'

export interface GatewayDeps {
  log: Logger
  metrics: Metrics
  views: ProductViews
  publicDir: string
  bodyLimitBytes: number
  requestTimeoutMs: number
}

const REQUEST_ID = /^[\w.-]{1,64}$/

/** The public REST/JSON edge: every route validated by its schema and described in the OpenAPI document. */
export async function createGatewayApp(deps: GatewayDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimitBytes,
    requestTimeout: deps.requestTimeoutMs,
    // a client's request id is kept when it looks like one, so logs can be joined across hops
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: true } },
  })

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    withRequest({ requestId: request.id }, done)
  })
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched'
    deps.metrics.http.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    )
    done()
  })

  for (const schema of sharedSchemas) app.addSchema(schema)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'microshop API',
        version: '1.0.0',
        description:
          'The public REST/JSON API of microshop. Errors are RFC 9457 problem+json with a stable `code`.',
      },
      tags: [{ name: 'catalog', description: 'Products, categories and search' }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs' })
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger())

  registerProblemHandlers(app, deps.log)
  registerProductRoutes(app, deps.views)
  registerStaticRoutes(app, deps.publicDir)
  return app
}
