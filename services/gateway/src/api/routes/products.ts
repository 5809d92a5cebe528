import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { MAX_PAGE_SIZE, type ProductQuery, type ProductViews, SORTS } from '../../app/products.js'
import { etagOf, type ResponseCache } from '../../domain/response-cache.js'
import { commonProblems, problems, slug } from '../schemas.js'

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 200, description: 'Free-text search; results are ranked by relevance' },
    category: slug,
    sort: { type: 'string', enum: [...SORTS], default: 'name' },
    pageSize: {
      type: 'integer',
      minimum: 1,
      description: `Items per page; larger values are clamped to ${MAX_PAGE_SIZE}`,
    },
    pageToken: { type: 'string', maxLength: 200 },
  },
} as const

const notModified = {
  304: { description: 'Not modified since the ETag sent in If-None-Match', type: 'null' },
}
const listResponses = { 200: { $ref: 'ProductList#' }, ...notModified, ...commonProblems }

/** How long a client may keep a product page: its availability must not go stale for long. */
const AVAILABILITY_MAX_AGE_SECONDS = 5

export interface CachePolicy {
  cache: ResponseCache
  ttlMs: number
  staleMs: number
}

/** Catalog reads, cached by URL with ETag / 304 and stale-while-revalidate. */
export function registerProductRoutes(app: FastifyInstance, views: ProductViews, policy: CachePolicy): void {
  const cacheControl = `public, max-age=${Math.floor(policy.ttlMs / 1000)}, stale-while-revalidate=${Math.floor(policy.staleMs / 1000)}`
  const detailCacheControl = `public, max-age=${AVAILABILITY_MAX_AGE_SECONDS}`
  const cached = async (request: FastifyRequest, reply: FastifyReply, fetch: () => Promise<unknown>) => {
    const { value, etag, hit } = await policy.cache.get(request.url, fetch)
    reply.headers({ etag, 'cache-control': cacheControl, 'x-cache': hit })
    if (request.headers['if-none-match'] === etag) return reply.code(304).send()
    return value
  }

  app.get<{ Querystring: ProductQuery }>(
    '/api/products',
    {
      schema: {
        tags: ['catalog'],
        summary: 'List or search products',
        querystring: listQuery,
        response: listResponses,
      },
    },
    (request, reply) => cached(request, reply, () => views.list(request.query)),
  )

  app.get<{ Querystring: ProductQuery & { q: string } }>(
    '/api/search',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Search products by free text',
        querystring: {
          ...listQuery,
          required: ['q'],
          properties: { ...listQuery.properties, q: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: listResponses,
      },
    },
    (request, reply) => cached(request, reply, () => views.list(request.query)),
  )

  app.get<{ Params: { id: string } }>(
    '/api/products/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'One product, with related products and availability, in one call',
        params: { type: 'object', required: ['id'], properties: { id: slug } },
        response: {
          200: { $ref: 'ProductWithAvailability#' },
          ...notModified,
          404: problems[404],
          ...commonProblems,
        },
      },
    },
    async (request, reply) => {
      // stock moves by the second: it is read on every request and joined to the cached product
      const [{ value, hit }, availability] = await Promise.all([
        policy.cache.get(request.url, () => views.detail(request.params.id)),
        views.availability(request.params.id),
      ])
      const product = { ...(value as object), availability }
      const etag = etagOf(product)
      reply.headers({ etag, 'cache-control': detailCacheControl, 'x-cache': hit })
      if (request.headers['if-none-match'] === etag) return reply.code(304).send()
      return product
    },
  )

  app.get(
    '/api/categories',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Categories with their product counts',
        response: { 200: { $ref: 'CategoryList#' }, ...notModified, ...commonProblems },
      },
    },
    (request, reply) => cached(request, reply, () => views.categories()),
  )
}
