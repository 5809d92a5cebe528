import type { Money, StoredCart } from './cart.js'
import { CartErrors } from './errors.js'

/** What the cart needs to know of a product, as the catalog says it is now. */
export interface ProductSnapshot {
  id: string
  name: string
  price: Money
  imageUrl: string
}

export interface PricedLine {
  productId: string
  name: string
  quantity: number
  unitPrice: Money | undefined
  lineTotal: Money | undefined
  imageUrl: string
  /** False when the product is gone from the catalog: shown, but not priced or counted. */
  available: boolean
}

export interface PricedCart extends Omit<StoredCart, 'lines'> {
  lines: PricedLine[]
  /** Units of the available lines: what an order placed now would hold. */
  itemCount: number
  subtotal: Money
}

export const DEFAULT_CURRENCY = 'USD'

/** Prices a cart with the catalog's current products; a line whose product is missing is unavailable. */
export function priceCart(cart: StoredCart, products: readonly ProductSnapshot[]): PricedCart {
  const byId = new Map(products.map((p) => [p.id, p]))
  let currency: string | undefined
  let amount = 0
  let itemCount = 0
  const lines = cart.lines.map((line): PricedLine => {
    const product = byId.get(line.productId)
    if (!product)
      return {
        productId: line.productId,
        name: '',
        quantity: line.quantity,
        unitPrice: undefined,
        lineTotal: undefined,
        imageUrl: '',
        available: false,
      }
    currency ??= product.price.currency
    if (product.price.currency !== currency)
      throw CartErrors.mixedCurrencies(currency, product.price.currency)
    const lineTotal = product.price.amount * line.quantity
    amount += lineTotal
    itemCount += line.quantity
    return {
      productId: line.productId,
      name: product.name,
      quantity: line.quantity,
      unitPrice: { ...product.price },
      lineTotal: { amount: lineTotal, currency },
      imageUrl: product.imageUrl,
      available: true,
    }
  })
  return { ...cart, lines, itemCount, subtotal: { amount, currency: currency ?? DEFAULT_CURRENCY } }
}
