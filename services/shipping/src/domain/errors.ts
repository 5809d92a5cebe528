import { AppError } from '@microshop/chassis/errors'

export const ShippingErrors = {
  shipmentNotFound: (orderId: string) =>
    new AppError('not_found', 'SHIPPING_SHIPMENT_NOT_FOUND', `no shipment for order "${orderId}" yet`),
  invalidWeight: () =>
    new AppError(
      'invalid_argument',
      'SHIPPING_INVALID_WEIGHT',
      'weight must be a whole number of grams, 0 or more',
      {
        fields: [{ field: 'weightGrams', message: 'expected an integer ≥ 0' }],
      },
    ),
  tooHeavy: (maxGrams: number) =>
    new AppError(
      'invalid_argument',
      'SHIPPING_TOO_HEAVY',
      `parcels over ${maxGrams / 1000} kg are not carried: split the order`,
      { fields: [{ field: 'weightGrams', message: `at most ${maxGrams}` }] },
    ),
  invalidDestination: () =>
    new AppError(
      'invalid_argument',
      'SHIPPING_INVALID_DESTINATION',
      'destination must be an ISO 3166-1 alpha-2 country code, e.g. "US"',
      { fields: [{ field: 'destinationCountry', message: 'expected two letters' }] },
    ),
  invalidOrderId: () =>
    new AppError('invalid_argument', 'SHIPPING_INVALID_ORDER_ID', 'order_id is required', {
      fields: [{ field: 'orderId', message: 'required' }],
    }),
}
