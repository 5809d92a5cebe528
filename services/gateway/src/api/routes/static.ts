import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import { AppError } from '@microshop/chassis'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { sendProblem } from '../problems.js'

const IMAGE_NAME = /^[a-z0-9]+(-[a-z0-9]+)*\.svg$/

// paths the storefront's client-side routes never take: a miss there is the API's 404, not the shop's page
const NOT_THE_SHOP = /^\/(api|images|\.well-known)(\/|$)/

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
}

// the shop's own scripts, styles and API, nothing inline and nothing from elsewhere
const STOREFRONT_CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

// Vite names every asset by its content: a name never changes what it serves
const IMMUTABLE = 'public, max-age=31536000, immutable'

const notFound = (request: FastifyRequest) =>
  new AppError('not_found', 'ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)

const notBuilt = (dir: string) =>
  new AppError(
    'unavailable',
    'STOREFRONT_NOT_BUILT',
    `the storefront is not built: \`npm run build\` builds it into ${dir} (or set GATEWAY_STOREFRONT_DIR)`,
  )

/** A file of the built storefront, if there is one at this path (never outside its folder). */
async function fileIn(dir: string, path: string) {
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return undefined
  }
  const relative = normalize(decoded).replace(/^[/\\]+/, '')
  if (relative.includes('\0') || relative.startsWith('..')) return undefined
  const file = join(dir, relative)
  if (!file.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return undefined
  const info = await stat(file).catch(() => undefined)
  return info?.isFile() ? { file, info } : undefined
}

/** Sends a file, its gzip twin when the build made one and the client takes it; revalidated by ETag unless immutable. */
async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  found: NonNullable<Awaited<ReturnType<typeof fileIn>>>,
  cacheControl: string,
) {
  const { file, info } = found
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`
  reply.headers({
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': cacheControl,
    etag,
  })
  if (file.endsWith('.html')) reply.header('content-security-policy', STOREFRONT_CSP)
  if (request.headers['if-none-match'] === etag) return reply.code(304).send()
  reply.header('vary', 'accept-encoding')
  const gzipped = `${file}.gz`
  if (
    /\bgzip\b/.test(request.headers['accept-encoding'] ?? '') &&
    (await stat(gzipped).catch(() => undefined))
  )
    return reply.header('content-encoding', 'gzip').send(await readFile(gzipped))
  return reply.send(await readFile(file))
}

/**
 * Product images, and the built storefront at `/`: its files as they are, index.html for every client-side
 * route; the API, its docs and the images keep their own routes and 404s.
 */
export function registerStaticRoutes(
  app: FastifyInstance,
  dirs: { publicDir: string; storefrontDir: string },
): void {
  const imagesDir = join(dirs.publicDir, 'images', 'products')
  app.get<{ Params: { file: string } }>(
    '/images/products/:file',
    { schema: { hide: true }, config: { rateLimit: 'none' } },
    async (request, reply) => {
      const { file } = request.params
      const svg = IMAGE_NAME.test(file)
        ? await readFile(join(imagesDir, file)).catch(() => undefined)
        : undefined
      if (!svg) throw new AppError('not_found', 'IMAGE_NOT_FOUND', `no image ${file}`)
      return reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(svg)
    },
  )

  const shop = async (request: FastifyRequest, reply: FastifyReply, path: string) => {
    const file = path === '/' ? undefined : await fileIn(dirs.storefrontDir, path)
    if (file) return sendFile(request, reply, file, path.startsWith('/assets/') ? IMMUTABLE : 'no-cache')
    // a missing file is a 404; any other path is a page of the shop, which index.html routes
    if (extname(path) !== '') throw notFound(request)
    const index = await fileIn(dirs.storefrontDir, 'index.html')
    if (!index) throw notBuilt(dirs.storefrontDir)
    return sendFile(request, reply, index, 'no-cache')
  }
  // an unknown API path is answered here, not thrown: a throw from an async handler costs a rejected
  // promise and Fastify's error path, an eighth of a 404's CPU (two gateways side by side)
  const storefront = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/'
    if (!NOT_THE_SHOP.test(path)) return shop(request, reply, path)
    sendProblem(reply, request, notFound(request))
  }
  // a page of the shop asks for its script, styles and every product's image: not the API's limit
  const files = { schema: { hide: true }, config: { rateLimit: 'none' as const } }
  app.get('/', files, storefront)
  app.get('/*', files, storefront)
}
