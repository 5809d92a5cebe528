import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AppError } from '@microshop/chassis'
import type { FastifyInstance } from 'fastify'

const IMAGE_NAME = /^[a-z0-9]+(-[a-z0-9]+)*\.svg$/

/** Product images; the name pattern keeps requests inside the images folder. */
export function registerStaticRoutes(app: FastifyInstance, publicDir: string): void {
  const imagesDir = join(publicDir, 'images', 'products')
  app.get<{ Params: { file: string } }>(
    '/images/products/:file',
    { schema: { hide: true } },
    async (request, reply) => {
      const { file } = request.params
      const svg = IMAGE_NAME.test(file)
        ? await readFile(join(imagesDir, file)).catch(() => undefined)
        : undefined
      if (!svg) throw new AppError('not_found', 'IMAGE_NOT_FOUND', `no image ${file}`)
      return reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(svg)
    },
  )
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/api/docs'))
}
