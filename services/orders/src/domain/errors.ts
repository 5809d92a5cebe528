import { AppError, type FieldError } from '@microshop/chassis/errors'

export const OrdersErrors = {
  invalidRequest: (fields: FieldError[]) =>
    new AppError(
      'invalid_argument',
      'ORDERS_INVALID_REQUEST',
      `invalid order: ${fields.map((f) => `${f.field} (${f.message})`).join(', ')}`,
      { fields },
    ),
  invalidIdempotencyKey: () =>
    new AppError(
      'invalid_argument',
      'ORDERS_INVALID_IDEMPOTENCY_KEY',
      'send an Idempotency-Key of 1 to 100 characters',
      {
        fields: [{ field: 'idempotencyKey', message: '1 to 100 characters' }],
      },
    ),
  idempotencyKeyReused: () =>
    new AppError(
      'failed_precondition',
      'ORDERS_IDEMPOTENCY_KEY_REUSED',
      'this Idempotency-Key was already used for a different order; use a new key for a new order',
      { fields: [{ field: 'idempotencyKey', message: 'already used with another body' }] },
    ),
  idempotencyInFlight: () =>
    new AppError(
      'conflict',
      'ORDERS_IDEMPOTENCY_IN_FLIGHT',
      'an order with this Idempotency-Key is being placed right now; retry shortly',
      { retryable: true, retryAfterMs: 1_000 },
    ),
  tooManyPending: (max: number) =>
    new AppError(
      'resource_exhausted',
      'ORDERS_TOO_MANY_PENDING',
      `at most ${max} orders may wait for payment at once: pay or cancel one first`,
      { retryable: false },
    ),
  tooManyReserved: (max: number, held: number) =>
    new AppError(
      'resource_exhausted',
      'ORDERS_TOO_MANY_RESERVED_UNITS',
      `orders waiting for payment may hold at most ${max} units (${held} held now): order fewer, or pay or cancel first`,
      { retryable: false, fields: [{ field: 'lines', message: `at most ${max - held} more units now` }] },
    ),
  peerAnswerInvalid: (peer: string, what: string) =>
    new AppError(
      'internal',
      'ORDERS_PEER_ANSWER_INVALID',
      `${peer} answered something no order can be made from (${what}); nothing was reserved or charged`,
    ),
  emptyCart: () =>
    new AppError('failed_precondition', 'ORDERS_EMPTY_CART', 'the cart is empty: add items or send lines', {
      fields: [{ field: 'lines', message: 'no lines and an empty cart' }],
    }),
  userBlocked: () =>
    new AppError(
      'permission_denied',
      'ORDERS_USER_BLOCKED',
      'this account is blocked and cannot place orders',
    ),
  unknownProducts: (fields: FieldError[]) =>
    new AppError(
      'not_found',
      'ORDERS_UNKNOWN_PRODUCT',
      `not in the catalog: ${fields.map((f) => f.field).join(', ')}`,
      { fields },
    ),
  mixedCurrencies: () =>
    new AppError(
      'failed_precondition',
      'ORDERS_MIXED_CURRENCIES',
      'the products of one order must share a currency',
    ),
  invalidCard: (fields: FieldError[], cause: unknown) =>
    new AppError(
      'invalid_argument',
      'ORDERS_INVALID_CARD',
      'the card was refused: check its number, expiry and CVC',
      {
        fields,
        cause,
      },
    ),
  outOfStock: (fields: FieldError[], cause: unknown) =>
    new AppError(
      'failed_precondition',
      'ORDERS_OUT_OF_STOCK',
      `not enough stock for: ${fields.map((f) => f.field).join(', ') || 'some lines'}`,
      { fields, cause },
    ),
  orderNotFound: (id: string) => new AppError('not_found', 'ORDERS_ORDER_NOT_FOUND', `no order "${id}"`),
  invalidTransition: (from: string, to: string) =>
    new AppError(
      'failed_precondition',
      'ORDERS_INVALID_TRANSITION',
      `an order that is ${from} cannot become ${to}`,
    ),
  concurrentUpdate: () =>
    new AppError('conflict', 'ORDERS_CONCURRENT_UPDATE', 'the order changed at the same time; retry', {
      retryable: true,
    }),
  invalidPageToken: () =>
    new AppError(
      'invalid_argument',
      'ORDERS_INVALID_PAGE_TOKEN',
      'page token is not one this service issued',
      {
        fields: [{ field: 'pageToken', message: 'unknown or malformed page token' }],
      },
    ),
  invalidDate: (field: string) =>
    new AppError(
      'invalid_argument',
      'ORDERS_INVALID_DATE',
      `${field} must be a date (YYYY-MM-DD or RFC 3339)`,
      {
        fields: [{ field, message: 'expected a date' }],
      },
    ),
}
