import type { CardTokens } from '../../app/card-tokens.js'
import type { GatewayApp } from '../schemas/components.js'
import { tokenizeCardSchema } from './payments.schemas.js'

/** Client-side tokenisation: a card becomes a token before checkout, so an order carries no card number. */
export function registerPaymentRoutes(app: GatewayApp, cards: CardTokens): void {
  app.post(
    '/api/payments/tokens',
    { config: { auth: 'user' }, schema: tokenizeCardSchema },
    async (request, reply) =>
      reply
        .code(201)
        .header('cache-control', 'no-store')
        .send(await cards.tokenize(request.body.card)),
  )
}
