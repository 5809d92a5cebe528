import { randomUUID } from 'node:crypto'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import {
  httpLogging,
  instrumentHttp,
  type Logger,
  type Metrics,
  type Telemetry,
  type TokenVerifier,
} from '@microshop/chassis'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Accounts } from '../app/accounts.js'
import type { AdminCatalog } from '../app/admin.js'
import type { CardTokens } from '../app/card-tokens.js'
import type { Carts } from '../app/carts.js'
import type { Messages } from '../app/messages.js'
import type { OrderStreams } from '../app/order-streams.js'
import type { Orders } from '../app/orders.js'
import type { ProductViews } from '../app/products.js'
import type { ShippingQuotes } from '../app/shipping-quotes.js'
import type { StockAndSales } from '../app/stock-and-sales.js'
import type { ResponseCache } from '../domain/response-cache.js'
import { type AdmissionSettings, registerAdmission } from './plugins/admission.js'
import { authorizationOf, registerAuth } from './plugins/auth.js'
import { type RateLimitSettings, registerRateLimits } from './plugins/rate-limit.js'
import { registerSecurity } from './plugins/security.js'
import { registerProblemHandlers } from './problems.js'
import { registerAccountRoutes } from './routes/accounts.js'
import { registerAdminRoutes } from './routes/admin.js'
import { registerCartRoutes } from './routes/cart.js'
import { registerMessageRoutes } from './routes/messages.js'
import { registerOrderEventRoutes } from './routes/order-events.js'
import { registerOrderRoutes } from './routes/orders.js'
import { registerPaymentRoutes } from './routes/payments.js'
import { registerProductRoutes } from './routes/products.js'
import { registerShippingRoutes } from './routes/shipping.js'
import { registerStaticRoutes } from './routes/static.js'
import { components, type SchemaTypes } from './schemas/components.js'

export interface GatewayDeps {
  log: Logger
  metrics: Metrics
  telemetry: Telemetry
  verifier: TokenVerifier
  views: ProductViews
  accounts: Accounts
  carts: Carts
  admin: AdminCatalog
  orders: Orders
  cardTokens: CardTokens
  shippingQuotes: ShippingQuotes
  /** Live order status changes, fed by the bus, read by the SSE streams. */
  orderStreams: OrderStreams
  messages: Messages
  stockAndSales: StockAndSales
  sseHeartbeatMs: number
  /** Open event streams allowed per user and in all. */
  sseLimits: { perUser: number; total: number }
  /** Which proxies' X-Forwarded-For to believe for the client's address (Fastify's `trustProxy`). */
  trustProxy: boolean | number | string[]
  cache: { cache: ResponseCache; ttlMs: number; staleMs: number }
  rateLimits: RateLimitSettings
  /** Requests working and waiting per class; past them, 503 OVERLOADED at once. Default: unbounded. */
  admission?: AdmissionSettings
  corsOrigins: readonly string[]
  publicDir: string
  /** The built storefront (apps/storefront/dist), served at `/`. */
  storefrontDir: string
  bodyLimitBytes: number
  requestTimeoutMs: number
}

const REQUEST_ID = /^[\w.-]{1,64}$/

export interface RouteEntry {
  method: string
  url: string
  /** Left out of the OpenAPI document (docs assets, images, CORS preflight). */
  hidden: boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, to check the OpenAPI document against. */
    routeTable: RouteEntry[]
  }
}

/** The public REST/JSON edge: every route validated by its schema and described in the OpenAPI document. */
export async function createGatewayApp(deps: GatewayDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...httpLogging(deps.log),
    bodyLimit: deps.bodyLimitBytes,
    // a hop count as proxy-addr reads one: the first n hops from the socket are proxies
    trustProxy:
      typeof deps.trustProxy === 'number'
        ? (
            (hops: number) => (_address: string, hop: number) =>
              hop < hops
          )(deps.trustProxy)
        : deps.trustProxy,
    requestTimeout: deps.requestTimeoutMs,
    // a client's request id is kept when it looks like one, so logs can be joined across hops
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: true } },
  })

  const routeTable: RouteEntry[] = []
  app.decorate('routeTable', routeTable)
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    const hidden = Boolean((route.schema as { hide?: boolean } | undefined)?.hide)
    for (const method of methods) routeTable.push({ method, url: route.url, hidden })
  })

  instrumentHttp(app, {
    telemetry: deps.telemetry,
    metrics: deps.metrics,
    requestContext: (request) => ({ authorization: authorizationOf(request) }),
  })

  for (const schema of components) app.addSchema(schema)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'microshop API',
        version: '1.0.0',
        description:
          'The public REST/JSON API of microshop. Errors are RFC 9457 problem+json with a stable `code`. ' +
          'Money is `{ amount: <integer minor units>, currency }`; lists are `{ items, nextPageToken }`.',
      },
      tags: [
        { name: 'catalog', description: 'Products, categories and search' },
        { name: 'auth', description: 'Sign-up, sign-in and tokens' },
        { name: 'account', description: "The caller's profile" },
        { name: 'cart', description: 'The caller’s cart, signed in or anonymous (X-Cart-Token)' },
        {
          name: 'orders',
          description: "Checkout and the caller's orders, live status as Server-Sent Events",
        },
        {
          name: 'payments',
          description:
            'Client-side tokenisation: a card becomes a token before checkout, so the order carries no card number',
        },
        { name: 'admin', description: 'Catalog, stock and sales (admin role)' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          accessTokenQuery: {
            type: 'apiKey',
            in: 'query',
            name: 'access_token',
            description:
              'The access token in the URL: only GET /api/orders/{id}/events takes it (EventSource)',
          },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs' })
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger())

  registerProblemHandlers(app, deps.log)
  registerSecurity(app, deps.corsOrigins)
  registerAuth(app, deps.verifier)
  registerRateLimits(app, deps.rateLimits)
  if (deps.admission) registerAdmission(app, deps.admission)
  const typed = app.withTypeProvider<SchemaTypes>()
  registerProductRoutes(typed, deps.views, deps.cache)
  registerAccountRoutes(typed, deps.accounts)
  registerCartRoutes(typed, deps.carts)
  registerOrderRoutes(typed, deps.orders)
  registerPaymentRoutes(typed, deps.cardTokens)
  registerShippingRoutes(typed, deps.shippingQuotes)
  registerOrderEventRoutes(typed, {
    orders: deps.orders,
    streams: deps.orderStreams,
    settings: { heartbeatMs: deps.sseHeartbeatMs, ...deps.sseLimits },
  })
  registerMessageRoutes(typed, deps.messages)
  registerAdminRoutes(typed, deps.admin, deps.stockAndSales)
  registerStaticRoutes(app, { publicDir: deps.publicDir, storefrontDir: deps.storefrontDir })
  return app
}
