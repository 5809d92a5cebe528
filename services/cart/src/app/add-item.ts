import type { Db } from '@microshop/chassis'
import { type CartLimits, checkProductId, checkQuantity, checkRoomFor, type Owner } from '../domain/cart.js'
import { CartErrors } from '../domain/errors.js'
import type { PricedCart } from '../domain/pricing.js'
import type { CartStore } from '../store/cart-store.js'
import type { CartView } from './cart-view.js'
import { openCart } from './owner-cart.js'
import type { ProductLookup } from './product-lookup.js'

/** AddItem: the product must be in the catalog; the quantity is summed with the line's and capped. */
export function createAddItem(deps: {
  db: Db
  store: CartStore
  products: ProductLookup
  view: CartView
  limits: CartLimits
}) {
  const { store, limits } = deps
  return async (owner: Owner, productId: string, quantity: number): Promise<PricedCart> => {
    checkProductId(productId)
    checkQuantity(quantity, limits)
    // asked before the transaction: no cart row stays locked while the catalog answers
    const [product] = await deps.products.getProducts([productId])
    if (!product) throw CartErrors.unknownProduct(productId)
    const ref = await deps.db.tx(async (tx) => {
      const cart = (await openCart(store, tx, owner, true))!
      const present = await store.productIds(tx, cart.id)
      // the cart row lock makes this count exact under concurrent adds
      checkRoomFor(present.size, present.has(productId), limits)
      await store.addToLine(tx, cart.id, productId, quantity, limits.maxQuantity)
      await store.touch(tx, cart.id)
      return cart
    })
    return deps.view.show(owner, ref)
  }
}
