import { AppError, type FieldError } from '@microshop/chassis/errors'
import type { ReservationStatus, Shortage } from './reservation.js'

export const InventoryErrors = {
  /** One field per short line, named by its product id. */
  outOfStock: (shortages: Shortage[]) =>
    new AppError(
      'failed_precondition',
      'INVENTORY_OUT_OF_STOCK',
      `not enough stock for ${shortages.map((s) => s.productId).join(', ')}`,
      {
        fields: shortages.map((s) => ({
          field: s.productId,
          message: `${s.requested} requested, ${s.available} available`,
        })),
      },
    ),
  reservationClosed: (orderId: string, status: ReservationStatus) =>
    new AppError(
      'failed_precondition',
      'INVENTORY_RESERVATION_CLOSED',
      `the reservation of order ${orderId} is ${status}; it cannot be taken again`,
    ),
  reservationExists: (orderId: string) =>
    new AppError(
      'already_exists',
      'INVENTORY_RESERVATION_EXISTS',
      `order ${orderId} already holds a reservation with other lines`,
    ),
  belowReserved: (productId: string, reserved: number) =>
    new AppError(
      'failed_precondition',
      'INVENTORY_BELOW_RESERVED',
      `${productId} has ${reserved} units reserved; on hand cannot go below that`,
      { fields: [{ field: 'onHand', message: `at least ${reserved} (reserved now)` }] },
    ),
  productNotFound: (productId: string) =>
    new AppError('not_found', 'INVENTORY_PRODUCT_NOT_FOUND', `no product with id "${productId}"`),
  invalidRequest: (fields: FieldError[]) =>
    new AppError(
      'invalid_argument',
      'INVENTORY_INVALID_REQUEST',
      `invalid request: ${fields.map((f) => `${f.field} (${f.message})`).join(', ')}`,
      { fields },
    ),
}
