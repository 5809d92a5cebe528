import { fileURLToPath } from 'node:url'
import type { GetJwksRequest, GetJwksResponse } from './gen/microshop/identity/v1/identity.js'

/** Absolute path of the folder holding every .proto file (for gRPC reflection and tooling). */
export const protoRoot = fileURLToPath(new URL('../proto', import.meta.url))

/** The .proto files of each public gRPC service, relative to protoRoot. */
export const protoFiles = {
  catalog: 'microshop/catalog/v1/catalog.proto',
  identity: 'microshop/identity/v1/identity.proto',
  cart: 'microshop/cart/v1/cart.proto',
  inventory: 'microshop/inventory/v1/inventory.proto',
  orders: 'microshop/orders/v1/orders.proto',
  payments: 'microshop/payments/v1/payments.proto',
  fraud: 'microshop/fraud/v1/fraud.proto',
  shipping: 'microshop/shipping/v1/shipping.proto',
  notifications: 'microshop/notifications/v1/notifications.proto',
} as const

/** A key set as identity publishes it (RFC 7517). */
export interface JwksJson {
  keys: Array<Record<string, unknown>>
}

/** The access-token keys identity publishes, read through its GetJwks: what a service checks callers with. */
export async function jwksOf(identity: {
  call(method: 'getJwks', request: GetJwksRequest): Promise<GetJwksResponse>
}): Promise<JwksJson> {
  return JSON.parse((await identity.call('getJwks', {})).jwksJson) as JwksJson
}
export { type CalledService, calleesOf, callPolicy, mayCall } from './policy.js'
