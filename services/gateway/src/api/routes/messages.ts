import type { FastifyInstance } from 'fastify'
import { MAX_MESSAGES_PAGE_SIZE, type Messages } from '../../app/messages.js'
import { userProblems } from '../schemas.js'

/** The caller's mailbox: every email and SMS microshop sent them. */
export function registerMessageRoutes(app: FastifyInstance, messages: Messages): void {
  app.get<{ Querystring: { pageSize?: number; pageToken?: string; orderId?: string } }>(
    '/api/messages',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['account'],
        summary: "The caller's emails and SMS, newest first",
        security: [{ bearerAuth: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            pageSize: {
              type: 'integer',
              minimum: 1,
              description: `Items per page; larger values are clamped to ${MAX_MESSAGES_PAGE_SIZE}`,
            },
            pageToken: { type: 'string', maxLength: 200 },
            orderId: { type: 'string', maxLength: 100, description: 'Only the messages about this order' },
          },
        },
        response: { 200: { $ref: 'MessageList#' }, ...userProblems },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return messages.list(request.query)
    },
  )
}
