import type { Db, Principal } from '@microshop/chassis'
import { OrdersErrors } from '../domain/errors.js'
import { decideCancel, type Order } from '../domain/order.js'
import type { OrderStream } from './order-stream.js'

/** May this principal see the order? Its owner and admins; for anyone else it does not exist. */
export const canSee = (order: Order | undefined, caller: Principal): order is Order =>
  !!order && (order.userId === caller.userId || caller.roles.includes('admin'))

/** CancelOrder: the owner cancels before the order ships (payments refunds a capture, inventory returns stock). */
export function createCancelOrder(deps: { db: Db; stream: OrderStream }) {
  return (caller: Principal, orderId: string): Promise<Order> =>
    deps.db.tx(async (tx) => {
      const { after } = await deps.stream.change(tx, orderId, (order) => {
        if (!order || order.userId !== caller.userId) throw OrdersErrors.orderNotFound(orderId)
        return decideCancel(order)
      })
      return after!
    })
}

export type CancelOrder = ReturnType<typeof createCancelOrder>
