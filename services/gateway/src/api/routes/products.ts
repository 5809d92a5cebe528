import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ProductViews } from '../../app/products.js'
import { etagOf, type ResponseCache } from '../../domain/response-cache.js'
import type { GatewayApp } from '../schemas/components.js'
import {
  categoryResponses,
  listQuery,
  listResponses,
  productParams,
  productResponses,
  searchQuery,
} from './products.schemas.js'

/** How long a client may keep a product page: its availability must not go stale for long. */
const AVAILABILITY_MAX_AGE_SECONDS = 5

export interface CachePolicy {
  cache: ResponseCache
  ttlMs: number
  staleMs: number
}

/** Catalog reads, cached by URL with ETag / 304 and stale-while-revalidate. */
export function registerProductRoutes(app: GatewayApp, views: ProductViews, policy: CachePolicy): void {
  const cacheControl = `public, max-age=${Math.floor(policy.ttlMs / 1000)}, stale-while-revalidate=${Math.floor(policy.staleMs / 1000)}`
  const detailCacheControl = `public, max-age=${AVAILABILITY_MAX_AGE_SECONDS}`
  // a cached value's body, serialized by the route's response schema once, not on every hit (serializing a
  // page of 20 products was most of a cached list's own cost)
  const bodies = new WeakMap<object, string | Buffer | ArrayBuffer>()
  const cached = async <T>(request: FastifyRequest, reply: FastifyReply, fetch: () => Promise<T>) => {
    const { value, etag, hit } = await policy.cache.get(request.url, fetch)
    reply.headers({ etag, 'cache-control': cacheControl, 'x-cache': hit })
    if (request.headers['if-none-match'] === etag) return reply.code(304).send()
    const page = value as T & object
    let body = bodies.get(page)
    if (body === undefined) {
      body = reply.serialize(page)
      bodies.set(page, body)
    }
    return reply.type('application/json; charset=utf-8').send(body)
  }

  app.get(
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

  app.get(
    '/api/search',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Search products by free text',
        querystring: searchQuery,
        response: listResponses,
      },
    },
    (request, reply) => cached(request, reply, () => views.list(request.query)),
  )

  app.get(
    '/api/products/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'One product, with related products and availability, in one call',
        params: productParams,
        response: productResponses,
      },
    },
    async (request, reply) => {
      // stock moves by the second: it is read on every request and joined to the cached product
      const [{ value, hit }, availability] = await Promise.all([
        policy.cache.get(request.url, () => views.detail(request.params.id)),
        views.availability(request.params.id),
      ])
      const product = { ...(value as Awaited<ReturnType<ProductViews['detail']>>), availability }
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
        response: categoryResponses,
      },
    },
    (request, reply) => cached(request, reply, () => views.categories()),
  )
}
