import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ProductViews } from '../../app/products.js'
import type { ResponseCache } from '../../domain/response-cache.js'
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
  // page of 20 products was most of a cached list's own cost), and kept as bytes: Node sends a string body
  // glued to the response's head, a copy of both for every request, and a Buffer as it is
  const serializedOnce = (reply: FastifyReply, value: unknown): Buffer => {
    const body = reply.serialize(value)
    return typeof body === 'string' ? Buffer.from(body) : Buffer.from(body as ArrayBuffer)
  }
  const bodies = new WeakMap<object, Buffer>()
  const pages = new WeakMap<object, { product: object; etag: string; body: Buffer }>()
  const cached = async <T>(request: FastifyRequest, reply: FastifyReply, fetch: () => Promise<T>) => {
    const { value, etag, hit } = await policy.cache.get(request.url, fetch)
    reply.headers({ etag, 'cache-control': cacheControl, 'x-cache': hit })
    if (request.headers['if-none-match'] === etag) return reply.code(304).send()
    const page = value as T & object
    let body = bodies.get(page)
    if (body === undefined) {
      body = serializedOnce(reply, page)
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
      // stock moves by the second: it is read for every request (reads under way shared) and joined to
      // the cached product
      const [{ value, etag: productEtag, hit }, availability] = await Promise.all([
        policy.cache.get(request.url, () => views.detail(request.params.id)),
        views.availability(request.params.id),
      ])
      const product = value as Awaited<ReturnType<ProductViews['detail']>>
      // the requests that shared a stock read share its page too: ETag and body are made once for them
      const key = availability ?? product
      let page = pages.get(key)
      if (page?.product !== product) {
        const etag = `${productEtag.slice(0, -1)}.${availability ? availability.available : 'unknown'}"`
        page = { product, etag, body: serializedOnce(reply, { ...product, availability }) }
        pages.set(key, page)
      }
      reply.headers({ etag: page.etag, 'cache-control': detailCacheControl, 'x-cache': hit })
      if (request.headers['if-none-match'] === page.etag) return reply.code(304).send()
      return reply.type('application/json; charset=utf-8').send(page.body)
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
