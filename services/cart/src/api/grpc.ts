import type { CallContext, Handlers } from '@microshop/chassis'
import type { Cart, CartServiceService } from '@microshop/contracts/cart/v1/cart'
import type { CartApp } from '../app/cart-app.js'
import type { Owner } from '../domain/cart.js'
import type { PricedCart } from '../domain/pricing.js'

const toMessage = (c: PricedCart): Cart => ({
  id: c.id,
  cartToken: c.token,
  userId: c.userId,
  lines: c.lines,
  itemCount: c.itemCount,
  subtotal: c.subtotal,
  updatedAt: c.updatedAt,
})

/** A signed-in caller always reaches their own cart: the cart token counts only when nobody signed in. */
async function ownerOf(ctx: CallContext, cartToken: string): Promise<Owner> {
  const caller = await ctx.caller()
  return caller
    ? { kind: 'user', userId: caller.userId }
    : { kind: 'anonymous', token: cartToken || undefined }
}

/** gRPC handlers: find the owner, call the use case, shape the response. */
export function createCartHandlers(cart: CartApp): Handlers<typeof CartServiceService> {
  return {
    async getCart(req, ctx) {
      const owner = await ownerOf(ctx, req.cartToken)
      return { cart: toMessage(await cart.getCart(owner)) }
    },
    async addItem(req, ctx) {
      const owner = await ownerOf(ctx, req.cartToken)
      return { cart: toMessage(await cart.addItem(owner, req.productId, req.quantity)) }
    },
    async updateItem(req, ctx) {
      const owner = await ownerOf(ctx, req.cartToken)
      return { cart: toMessage(await cart.updateItem(owner, req.productId, req.quantity)) }
    },
    async removeItem(req, ctx) {
      const owner = await ownerOf(ctx, req.cartToken)
      return { cart: toMessage(await cart.removeItem(owner, req.productId)) }
    },
    async clearCart(req, ctx) {
      const owner = await ownerOf(ctx, req.cartToken)
      return { cart: toMessage(await cart.clearCart(owner)) }
    },
    async mergeCarts(req, ctx) {
      const caller = await ctx.requireCaller()
      return { cart: toMessage(await cart.mergeCarts(caller.userId, req.cartToken)) }
    },
  }
}
