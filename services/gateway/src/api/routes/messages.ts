import type { Messages } from '../../app/messages.js'
import type { GatewayApp } from '../schemas/components.js'
import { listMessagesSchema } from './messages.schemas.js'

/** The caller's mailbox: every email and SMS microshop sent them. */
export function registerMessageRoutes(app: GatewayApp, messages: Messages): void {
  app.get(
    '/api/messages',
    { config: { auth: 'user' }, schema: listMessagesSchema },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return messages.list(request.query)
    },
  )
}
