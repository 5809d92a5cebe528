import { randomUUID } from 'node:crypto'
import {
  createServiceClient,
  type DeliveredEvent,
  type EventBus,
  openEventBus,
  type ServiceClient,
  type Subscription,
  toCloudEvent,
  withRequest,
} from '@microshop/chassis'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import type { OrderCancelled, OrderCreated } from '@microshop/contracts/orders/v1/events'
import { PaymentsServiceService } from '@microshop/contracts/payments/v1/payments'
import { silentLogger, staticDiscovery } from '../../../test-support/grpc.js'
import { type Stack, startStack } from '../../../test-support/stack.js'
import { OrderCancelledEvent, OrderCreatedEvent } from '../src/events/order-consumers.js'
import { PaymentFailedEvent, PaymentSucceededEvent, RefundIssuedEvent } from '../src/events/payment-events.js'

export const PAYMENT_EVENTS = [PaymentSucceededEvent, PaymentFailedEvent, RefundIssuedEvent]

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
) {
  const giveUpAt = Date.now() + timeoutMs
  for (;;) {
    const found = await probe()
    if (found !== undefined && found !== false) return found
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface Buyer {
  userId: string
  email: string
  accessToken: string
}

/** Identity, fraud and payments on one bus, as the checkout runs them, with a bus of our own to play orders. */
export async function startPaymentsStack(paymentsEnv: Record<string, string>) {
  const stack: Stack = await startStack(['identity', 'fraud', 'payments'], {
    identity: { IDENTITY_ARGON2_MEMORY_KIB: '8192', IDENTITY_ARGON2_TIME_COST: '1' },
    payments: paymentsEnv,
  })
  const bus: EventBus = await openEventBus(stack.databases.bus!.url, { log: silentLogger })
  const seen: DeliveredEvent[] = []
  const observer: Subscription = await bus.subscribe('payments-test-observer', PAYMENT_EVENTS, async (e) => {
    seen.push(e)
  })
  const clientOf = <D extends typeof PaymentsServiceService | typeof IdentityServiceService>(
    service: 'payments' | 'identity',
    definition: D,
  ) =>
    createServiceClient({
      service,
      definition,
      discovery: staticDiscovery(() => [`127.0.0.1:${stack.services[service]?.grpcPort}`]),
      log: silentLogger,
      deadlineMs: 10_000,
    })
  const payments: ServiceClient<typeof PaymentsServiceService> = clientOf('payments', PaymentsServiceService)
  const identity: ServiceClient<typeof IdentityServiceService> = clientOf('identity', IdentityServiceService)

  const login = async (email: string, password: string): Promise<Buyer> => {
    const { tokens, user } = await identity.call('login', { email, password })
    return { userId: user!.id, email, accessToken: tokens!.accessToken }
  }

  return {
    stack,
    payments,
    seen,
    /** A registered customer, signed in. */
    async buyer(): Promise<Buyer> {
      const email = `buyer-${randomUUID().slice(0, 8)}@example.com`
      const password = 'correct-horse-battery-9'
      await identity.call('register', { email, password, name: 'Buyer' })
      return login(email, password)
    },
    admin: () => login('admin@microshop.local', 'microshop-admin-2026'),
    async token(number: string) {
      return (await payments.call('tokenizeCard', { number, expMonth: 12, expYear: 2034, cvc: '123' })).token
    },
    asCaller: <T>(buyer: Buyer, fn: () => Promise<T>) =>
      withRequest({ authorization: `Bearer ${buyer.accessToken}` }, fn),
    /** OrderCreated as orders would publish it; the same `eventId` twice is one event, another id a redelivery. */
    async orderCreated(order: Partial<OrderCreated> & { orderId: string }, eventId = randomUUID()) {
      const data: OrderCreated = {
        userId: '',
        email: '',
        lines: [],
        total: { amount: 2_500, currency: 'USD' },
        shippingAddress: {
          name: 'Buyer',
          line1: '1 Main St',
          line2: '',
          city: 'Springfield',
          region: 'IL',
          postalCode: '62701',
          country: 'US',
          phone: '',
        },
        paymentToken: '',
        reservationId: randomUUID(),
        reservationExpiresAt: new Date(Date.now() + 600_000).toISOString(),
        createdAt: new Date().toISOString(),
        ...order,
      }
      await bus.publish([
        toCloudEvent('/microshop/orders', OrderCreatedEvent.create(order.orderId, data, { id: eventId })),
      ])
    },
    async orderCancelled(order: Partial<OrderCancelled> & { orderId: string }, eventId = randomUUID()) {
      const data: OrderCancelled = {
        userId: '',
        email: '',
        reason: 'customer_cancelled',
        previousStatus: 0,
        ...order,
      }
      await bus.publish([
        toCloudEvent('/microshop/orders', OrderCancelledEvent.create(order.orderId, data, { id: eventId })),
      ])
    },
    /** The payment events about an order, by type name: ['payments.PaymentSucceeded.v1', ...]. */
    eventsOf: (orderId: string) => seen.filter((e) => e.subject === orderId),
    typesOf: (orderId: string) => seen.filter((e) => e.subject === orderId).map((e) => e.type),
    async close() {
      payments.close()
      identity.close()
      await observer.stop()
      await bus.close()
      await stack.close()
    },
  }
}

export type PaymentsStack = Awaited<ReturnType<typeof startPaymentsStack>>
