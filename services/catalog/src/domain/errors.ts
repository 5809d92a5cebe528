import { AppError, type FieldError } from '@microshop/chassis/errors'

export const CatalogErrors = {
  productExists: (id: string) =>
    new AppError('already_exists', 'CATALOG_PRODUCT_EXISTS', `a product with id "${id}" already exists`, {
      fields: [{ field: 'id', message: 'already taken' }],
    }),
  productNotFound: (id: string) =>
    new AppError('not_found', 'CATALOG_PRODUCT_NOT_FOUND', `no product with id "${id}"`),
  invalidProduct: (fields: FieldError[]) =>
    new AppError(
      'invalid_argument',
      'CATALOG_INVALID_PRODUCT',
      `invalid product: ${fields.map((f) => f.field).join(', ')}`,
      {
        fields,
      },
    ),
  invalidPageToken: () =>
    new AppError(
      'invalid_argument',
      'CATALOG_INVALID_PAGE_TOKEN',
      'page token is not one this service issued',
      {
        fields: [{ field: 'pageToken', message: 'unknown or malformed page token' }],
      },
    ),
  invalidQuery: (message: string) =>
    new AppError('invalid_argument', 'CATALOG_INVALID_QUERY', message, { fields: [{ field: 'q', message }] }),
  tooManyIds: (max: number) =>
    new AppError('invalid_argument', 'CATALOG_TOO_MANY_IDS', `ask for at most ${max} products at once`, {
      fields: [{ field: 'ids', message: `at most ${max}` }],
    }),
}
