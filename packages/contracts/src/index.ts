import { fileURLToPath } from 'node:url'

/** Absolute path of the folder holding every .proto file (for gRPC reflection and tooling). */
export const protoRoot = fileURLToPath(new URL('../proto', import.meta.url))

/** The .proto files of each public gRPC service, relative to protoRoot. */
export const protoFiles = {
  catalog: 'microshop/catalog/v1/catalog.proto',
  identity: 'microshop/identity/v1/identity.proto',
  cart: 'microshop/cart/v1/cart.proto',
} as const

/** CloudEvents types of the events in the contracts (`<service>.<EventName>.v<N>`); payloads in `<service>/v1/events.proto`. */
export const eventTypes = {
  catalog: { productUpdated: 'catalog.ProductUpdated.v1', priceChanged: 'catalog.PriceChanged.v1' },
} as const
