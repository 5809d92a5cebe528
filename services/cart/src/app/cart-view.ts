import type { Db } from '@microshop/chassis'
import { emptyCart, type Owner } from '../domain/cart.js'
import { type PricedCart, priceCart } from '../domain/pricing.js'
import type { CartStore } from '../store/cart-store.js'
import { lookupHashOf } from './cart-token.js'
import type { CartRef } from './owner-cart.js'
import type { ProductLookup } from './product-lookup.js'

export type CartView = ReturnType<typeof createCartView>

/** Reads carts and prices them with the catalog's current data. */
export function createCartView(deps: { db: Db; store: CartStore; products: ProductLookup }) {
  const { db, store, products } = deps

  const priced = async (owner: Owner, ref: CartRef | undefined): Promise<PricedCart> => {
    const header = ref && (await store.findCart(db, ref.id))
    if (!header) return priceCart(emptyCart(owner), [])
    const lines = await store.lines(db, header.id)
    // an empty cart needs no prices: it reads even while the catalog is down
    const found = lines.length === 0 ? [] : await products.getProducts(lines.map((l) => l.productId))
    return priceCart({ ...header, token: ref.token, lines }, found)
  }

  return {
    /** A cart a write just acted on, as it is now. */
    show: priced,

    /** The owner's cart; an owner without one (or with a token that names none) gets an empty cart. */
    async getCart(owner: Owner): Promise<PricedCart> {
      if (owner.kind === 'user') {
        const cart = await store.findUserCart(db, owner.userId)
        return priced(owner, cart && { id: cart.id, token: '' })
      }
      const hash = lookupHashOf(owner.token)
      const cart = hash && (await store.findAnonymousCart(db, hash))
      return priced(owner, cart ? { id: cart.id, token: owner.token! } : undefined)
    },
  }
}
