import { AppError } from '@microshop/chassis/errors'

export const ShippingErrors = {
  shipmentNotFound: (orderId: string) =>
    new AppError('not_found', 'SHIPPING_SHIPMENT_NOT_FOUND', `no shipment for order "${orderId}" yet`),
  invalidWeight: (item?: number) =>
    new AppError(
      'invalid_argument',
      'SHIPPING_INVALID_WEIGHT',
      'weight must be a whole number of grams, 0 or more',
      {
        fields: [
          {
            field: item === undefined ? 'weightGrams' : `items[${item}].weightGrams`,
            message: 'expected an integer ≥ 0',
          },
        ],
      },
    ),
  invalidQuantity: (item: number, max: number) =>
    new AppError('invalid_argument', 'SHIPPING_INVALID_QUANTITY', `quantity must be from 1 to ${max}`, {
      fields: [{ field: `items[${item}].quantity`, message: `expected an integer from 1 to ${max}` }],
    }),
  itemTooHeavy: (maxGrams: number, item?: number) =>
    new AppError(
      'invalid_argument',
      'SHIPPING_TOO_HEAVY',
      `an item over ${maxGrams / 1000} kg does not fit in any parcel: it is not carried`,
      {
        fields: [
          {
            field: item === undefined ? 'items' : `items[${item}].weightGrams`,
            message: `each unit at most ${maxGrams / 1000} kg`,
          },
        ],
      },
    ),
  tooManyParcels: (maxParcels: number, maxGrams: number) =>
    new AppError(
      'invalid_argument',
      'SHIPPING_TOO_HEAVY',
      `an order ships in at most ${maxParcels} parcels of ${maxGrams / 1000} kg: split it into several orders`,
      { fields: [{ field: 'items', message: `at most ${maxParcels} parcels` }] },
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
