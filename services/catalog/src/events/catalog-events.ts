import { defineEvent, type NewEvent, type Outbox, type Queryable } from '@microshop/chassis'
import { eventTypes } from '@microshop/contracts'
import { PriceChanged, ProductUpdated } from '@microshop/contracts/catalog/v1/events'
import type { CatalogEvent } from '../domain/product-events.js'

export const ProductUpdatedEvent = defineEvent(eventTypes.catalog.productUpdated, ProductUpdated)
export const PriceChangedEvent = defineEvent(eventTypes.catalog.priceChanged, PriceChanged)

/** The contract event of a domain event; its subject is the product id. */
export function toContractEvent(event: CatalogEvent): NewEvent {
  switch (event.kind) {
    case 'ProductUpdated':
      return ProductUpdatedEvent.create(event.product.id, { product: event.product, created: event.created })
    case 'PriceChanged':
      return PriceChangedEvent.create(event.productId, {
        productId: event.productId,
        previousPrice: event.previousPrice,
        price: event.price,
      })
  }
}

/** Records the catalog's domain events in its outbox, in the transaction of the change. */
export const createCatalogEmitter =
  (outbox: Outbox) =>
  (tx: Queryable, events: CatalogEvent[]): Promise<void> =>
    outbox.append(tx, events.map(toContractEvent))
