import type { ShippingQuotes } from '../../app/shipping-quotes.js'
import type { GatewayApp } from '../schemas/components.js'
import { quoteShippingSchema } from './shipping.schemas.js'

/** Shipping prices before checkout, for the cart or for lines. */
export function registerShippingRoutes(app: GatewayApp, quotes: ShippingQuotes): void {
  app.post('/api/shipping/quote', { schema: quoteShippingSchema }, async (request, reply) => {
    reply.header('cache-control', 'no-store')
    return quotes.quote(request.headers['x-cart-token'] ?? '', request.body)
  })
}
