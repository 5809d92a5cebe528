import { AppError } from '@microshop/chassis/errors'

export const CartErrors = {
  invalidQuantity: (min: number, max: number) =>
    new AppError(
      'invalid_argument',
      'CART_INVALID_QUANTITY',
      `quantity must be a whole number from ${min} to ${max}`,
      {
        fields: [{ field: 'quantity', message: `from ${min} to ${max}` }],
      },
    ),
  invalidProductId: () =>
    new AppError('invalid_argument', 'CART_INVALID_PRODUCT_ID', 'productId must be a product id', {
      fields: [{ field: 'productId', message: '1 to 200 characters, no control characters' }],
    }),
  tooManyLines: (max: number) =>
    new AppError(
      'failed_precondition',
      'CART_TOO_MANY_LINES',
      `a cart holds at most ${max} different products; remove one first`,
      { fields: [{ field: 'productId', message: `the cart already holds ${max} different products` }] },
    ),
  unknownProduct: (id: string) =>
    new AppError('not_found', 'CART_UNKNOWN_PRODUCT', `no product with id "${id}" in the catalog`, {
      fields: [{ field: 'productId', message: 'not in the catalog' }],
    }),
  lineNotFound: (id: string) =>
    new AppError('not_found', 'CART_LINE_NOT_FOUND', `the cart holds no product "${id}"; add it first`, {
      fields: [{ field: 'productId', message: 'not in the cart' }],
    }),
  mixedCurrencies: (a: string, b: string) =>
    new AppError('internal', 'CART_MIXED_CURRENCIES', `the catalog priced one cart in ${a} and ${b}`),
}
