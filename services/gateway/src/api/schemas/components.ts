import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import type { FastifyBaseLogger, FastifyInstance, FastifyTypeProvider } from 'fastify'
import { accountComponents } from '../routes/accounts.schemas.js'
import { adminComponents } from '../routes/admin.schemas.js'
import { cartComponents } from '../routes/cart.schemas.js'
import { messageComponents } from '../routes/messages.schemas.js'
import { orderComponents } from '../routes/orders.schemas.js'
import { paymentComponents } from '../routes/payments.schemas.js'
import { productComponents } from '../routes/products.schemas.js'
import { shippingComponents } from '../routes/shipping.schemas.js'
import { Money, Problem } from './common.js'

/** Every schema with an $id: added to the app once, listed in the OpenAPI components, resolved in route types. */
export const components = [
  Money,
  Problem,
  ...productComponents,
  ...accountComponents,
  ...cartComponents,
  ...orderComponents,
  ...shippingComponents,
  ...paymentComponents,
  ...messageComponents,
  ...adminComponents,
] as const

type Mutable<T> = { -readonly [K in keyof T]: T[K] }
type Validated<S> = (JsonSchemaToTsProvider<{
  ValidatorSchemaOptions: { references: Mutable<typeof components> }
}> & { schema: S })['validator']

/**
 * Requests typed from the route schemas, as validated. Replies are not typed from them: json-schema-to-ts
 * gives every open object an index signature that the contracts' interfaces lack, so typed replies would need
 * `additionalProperties: false` on every response, and then no field could ever be added to one.
 */
export interface SchemaTypes extends FastifyTypeProvider {
  validator: Validated<this['schema']>
  serializer: unknown
}

/** The gateway's Fastify app, its routes typed by their schemas. */
export type GatewayApp = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  SchemaTypes
>
