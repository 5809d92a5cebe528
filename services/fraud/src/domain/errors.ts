import { AppError, type FieldError } from '@microshop/chassis/errors'

export const FraudErrors = {
  invalidRequest: (fields: FieldError[]) =>
    new AppError(
      'invalid_argument',
      'FRAUD_INVALID_REQUEST',
      `check ${[...new Set(fields.map((f) => f.field))].join(', ')}`,
      { fields },
    ),
}
