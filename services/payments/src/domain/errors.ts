import { AppError, type FieldError } from '@microshop/chassis/errors'

export const PaymentsErrors = {
  invalidCard: (fields: FieldError[]) =>
    new AppError(
      'invalid_argument',
      'PAYMENTS_INVALID_CARD',
      `check ${[...new Set(fields.map((f) => f.field))].join(', ')}`,
      { fields },
    ),
  invalidOrderId: () =>
    new AppError('invalid_argument', 'PAYMENTS_INVALID_ORDER_ID', 'orderId must be an order id', {
      fields: [{ field: 'orderId', message: '1 to 200 characters' }],
    }),
  paymentNotFound: (orderId: string) =>
    new AppError('not_found', 'PAYMENTS_PAYMENT_NOT_FOUND', `no payment for order "${orderId}" (yet)`),
  /** An event that cannot be acted on however often it comes: it goes to the dead letters at once. */
  invalidEvent: (type: string, eventId: string, problem: string) =>
    new AppError('invalid_argument', 'PAYMENTS_INVALID_EVENT', `${type} ${eventId}: ${problem}`),
}
