import type { CallOptions, Db, ServiceClient } from '@microshop/chassis'
import { createServiceClient, type ServiceDefinition } from '@microshop/chassis/internal'
import { silentLogger, staticDiscovery } from '@microshop/chassis/testing'
import type { Product } from '@microshop/contracts/catalog/v1/catalog'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { type Order, OrderStatus, type PlaceOrderRequest } from '@microshop/contracts/orders/v1/orders'
import type { ServiceName, Stack } from '../../../test-support/stack.js'

export const PASSWORD = 'correct-horse-battery-9'
export const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }
export const CARDS = {
  ok: '4242424242424242',
  declined: '4000000000000002',
  slow: '4000000000000077',
  badLuhn: '4242424242424241',
}

/** The database of a running service of the stack. */
export function dbOf(stack: Stack, name: ServiceName): Db {
  const db = stack.services[name]?.db
  if (!db) throw new Error(`${name} is not running`)
  return db
}

/** A real gRPC client for one service of the stack, following it when it restarts on a new port. */
export function clientOf<D extends ServiceDefinition>(
  stack: Stack,
  name: ServiceName,
  definition: D,
): ServiceClient<D> {
  return createServiceClient({
    service: name,
    definition,
    discovery: staticDiscovery(() => {
      const port = stack.services[name]?.grpcPort
      return port ? [`127.0.0.1:${port}`] : []
    }),
    log: silentLogger,
    deadlineMs: 10_000,
    retries: 0,
  })
}

export interface Person {
  userId: string
  email: string
  /** Call options that act as this person: a real access token from identity. */
  as: CallOptions
}

let seq = 0

export async function signUp(stack: Stack, prefix = 'buyer'): Promise<Person> {
  const identity = clientOf(stack, 'identity', IdentityServiceService)
  const email = `${prefix}${++seq}.${Date.now()}@example.com`
  try {
    await identity.call('register', { email, password: PASSWORD, name: `${prefix} ${seq}` })
    return await signIn(stack, email, PASSWORD)
  } finally {
    identity.close()
  }
}

export async function signIn(stack: Stack, email: string, password: string): Promise<Person> {
  const identity = clientOf(stack, 'identity', IdentityServiceService)
  try {
    const { tokens, user } = await identity.call('login', { email, password })
    return { userId: user?.id ?? '', email, as: { authorization: `Bearer ${tokens?.accessToken}` } }
  } finally {
    identity.close()
  }
}

export const testProduct = (id: string, amount: number, weightGrams = 250): Product => ({
  id,
  name: `Orders test ${id}`,
  description: 'made for an orders test',
  price: { amount, currency: 'USD' },
  category: 'home',
  imageUrl: '',
  weightGrams,
  updatedAt: '',
})

export const address = {
  name: 'Ada Lovelace',
  line1: '1 Analytical Way',
  line2: '',
  city: 'London',
  region: '',
  postalCode: 'N1 9GU',
  country: 'GB',
  phone: '',
}

let keys = 0
export const newKey = () => `key-${Date.now()}-${++keys}`

export const card = (number: string = CARDS.ok) => ({ number, expMonth: 12, expYear: 2034, cvc: '123' })

/** A PlaceOrder request; lines as [productId, quantity]; paid with a test card, or with `token` instead. */
export const orderRequest = (
  lines: [string, number][],
  over: Partial<PlaceOrderRequest> & { card?: string; token?: string } = {},
): PlaceOrderRequest => {
  const { card: number, token, ...rest } = over
  return {
    idempotencyKey: newKey(),
    lines: lines.map(([productId, quantity]) => ({ productId, quantity })),
    shippingAddress: address,
    payment: token ? { card: undefined, token } : { card: card(number), token: '' },
    ...rest,
  }
}

export const STATUS_NAME: Record<number, string> = {
  [OrderStatus.ORDER_STATUS_PENDING_PAYMENT]: 'PENDING_PAYMENT',
  [OrderStatus.ORDER_STATUS_CONFIRMED]: 'CONFIRMED',
  [OrderStatus.ORDER_STATUS_SHIPPED]: 'SHIPPED',
  [OrderStatus.ORDER_STATUS_DELIVERED]: 'DELIVERED',
  [OrderStatus.ORDER_STATUS_CANCELLED]: 'CANCELLED',
}

export const statusOf = (order: Order | undefined) => STATUS_NAME[order?.status ?? 0] ?? 'UNSPECIFIED'
