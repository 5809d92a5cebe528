import { eventOf, type PendingEvent } from '@microshop/chassis'
import { events } from '@microshop/contracts/events'
import type { CatalogEvent } from '../domain/product-events.js'

/** The contract event of a domain event; its subject is the product id. */
export function toContractEvents(event: CatalogEvent): PendingEvent {
  switch (event.kind) {
    case 'ProductUpdated':
      return eventOf(events.ProductUpdated, { product: event.product, created: event.created })
    case 'PriceChanged':
      return eventOf(events.PriceChanged, {
        productId: event.productId,
        previousPrice: event.previousPrice,
        price: event.price,
      })
  }
}
