import { OrdersErrors } from './errors.js'
import type { ProductInfo } from './place-order.js'

// the catalog's own ceiling on a price; anything above it did not come from a sound catalog
const MAX_UNIT_PRICE_MINOR = 100_000_000
const MAX_WEIGHT_GRAMS = 1_000_000

/** A product as the catalog's GetProducts answers it: every field as the wire may bring it. */
export interface CatalogProduct {
  id: string
  name: string
  price?: { amount: number; currency: string } | undefined
  weightGrams: number
}

/**
 * The catalog's answer, checked before an order is priced from it: only products that were asked for, each
 * with a price of whole minor units from 0 to the catalog's ceiling in a three-letter currency and a whole
 * weight. Anything else is a broken or hostile peer, and the order is refused rather than priced from it.
 */
export function checkCatalogAnswer(
  asked: readonly string[],
  answer: readonly CatalogProduct[],
): ProductInfo[] {
  const wanted = new Set(asked)
  return answer.map((p) => {
    const { price } = p
    // named by field only: the message reaches the customer, the values stay out of it
    const problem = !wanted.has(p.id)
      ? 'a product that was not asked for'
      : !price
        ? 'no price'
        : !Number.isSafeInteger(price.amount) || price.amount < 0 || price.amount > MAX_UNIT_PRICE_MINOR
          ? 'price.amount'
          : !/^[A-Z]{3}$/.test(price.currency)
            ? 'price.currency'
            : !Number.isSafeInteger(p.weightGrams) || p.weightGrams < 0 || p.weightGrams > MAX_WEIGHT_GRAMS
              ? 'weightGrams'
              : undefined
    if (problem || !price) throw OrdersErrors.peerAnswerInvalid('catalog', `${p.id}: ${problem}`)
    return {
      id: p.id,
      name: p.name,
      price: { amount: price.amount, currency: price.currency },
      weightGrams: p.weightGrams,
    }
  })
}
