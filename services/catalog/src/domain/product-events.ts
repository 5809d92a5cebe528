import type { Money, Product } from './product.js'

/** What a change to the catalog tells the rest of the system. */
export type CatalogEvent =
  | { kind: 'ProductUpdated'; product: Product; created: boolean }
  | { kind: 'PriceChanged'; productId: string; previousPrice: Money; price: Money }

const samePrice = (a: Money, b: Money) => a.amount === b.amount && a.currency === b.currency

/** An upsert always updates the product; it changes the price when an existing product's price moved. */
export function eventsOfUpsert(
  previousPrice: Money | undefined,
  product: Product,
  created: boolean,
): CatalogEvent[] {
  const events: CatalogEvent[] = [{ kind: 'ProductUpdated', product, created }]
  if (previousPrice && !samePrice(previousPrice, product.price))
    events.push({ kind: 'PriceChanged', productId: product.id, previousPrice, price: product.price })
  return events
}
