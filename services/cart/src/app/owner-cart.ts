import type { Tx } from '@microshop/chassis'
import type { Owner } from '../domain/cart.js'
import type { CartStore } from '../store/cart-store.js'
import { hashCartToken, lookupHashOf, newCartToken } from './cart-token.js'

/** The cart a write acts on; `token` is set for anonymous carts (the one presented, or a new one). */
export interface CartRef {
  id: string
  token: string
}

/**
 * The owner's cart, locked until the transaction ends. Without a cart, `create` makes one: a user's
 * cart, or a new anonymous cart with a new token when the token presented names no live cart.
 */
export async function openCart(
  store: CartStore,
  tx: Tx,
  owner: Owner,
  create: boolean,
): Promise<CartRef | undefined> {
  if (owner.kind === 'user') {
    const cart = await store.lockUserCart(tx, owner.userId, create)
    return cart && { id: cart.id, token: '' }
  }
  const hash = lookupHashOf(owner.token)
  const found = hash && (await store.lockAnonymousCart(tx, hash))
  if (found) return { id: found.id, token: owner.token! }
  if (!create) return undefined
  const token = newCartToken()
  const cart = await store.createAnonymousCart(tx, hashCartToken(token))
  return { id: cart.id, token }
}
