import { randomUUID } from 'node:crypto'
import type { Db, DeliveredEvent, ServiceClient, Subscription } from '@microshop/chassis'
import { createServiceClient, type EventBus, openEventBus } from '@microshop/chassis/internal'
import { publishEvent, silentLogger, staticDiscovery } from '@microshop/chassis/testing'
import { type EventContract, events } from '@microshop/contracts/events'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import type { OrderCancelled, OrderCreated } from '@microshop/contracts/orders/v1/events'
import { PaymentsServiceService } from '@microshop/contracts/payments/v1/payments'
import pg from 'pg'
import { type ServiceName, type Stack, startStack } from '../../../test-support/stack.js'

export const PAYMENT_EVENTS = [events.PaymentSucceeded, events.PaymentFailed, events.RefundIssued]

export interface Buyer {
  userId: string
  email: string
  accessToken: string
}

/** The database of a running service of the stack. */
export function dbOf(stack: Stack, name: ServiceName): Db {
  const db = stack.services[name]?.db
  if (!db) throw new Error(`${name} is not running`)
  return db
}

/** Identity, fraud and payments on one bus, as the checkout runs them, with a bus of our own to play orders. */
export async function startPaymentsStack(paymentsEnv: Record<string, string>) {
  const stack: Stack = await startStack(['identity', 'fraud', 'payments'], {
    identity: { IDENTITY_ARGON2_MEMORY_KIB: '8192', IDENTITY_ARGON2_TIME_COST: '1' },
    payments: paymentsEnv,
  })
  const busUrl = stack.databases.bus?.url ?? ''
  const bus: EventBus = await openEventBus(busUrl, { log: silentLogger })
  const busDb = new pg.Pool({ connectionString: busUrl, max: 2 })
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
    return { userId: user?.id ?? '', email, accessToken: tokens?.accessToken ?? '' }
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
    /** A card token, made with the buyer's access token when one is given (then it is theirs). */
    async token(number: string, as?: Buyer) {
      const request = { number, expMonth: 12, expYear: 2034, cvc: '123' }
      const opts = as ? { authorization: `Bearer ${as.accessToken}` } : {}
      return (await payments.call('tokenizeCard', request, opts)).token
    },
    as: (buyer: Buyer) => ({ authorization: `Bearer ${buyer.accessToken}` }),
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
      return (await publishEvent(bus, events.OrderCreated, data, { id: eventId })).id
    },
    async orderCancelled(order: Partial<OrderCancelled> & { orderId: string }, eventId = randomUUID()) {
      const data: OrderCancelled = {
        userId: '',
        email: '',
        reason: 'customer_cancelled',
        previousStatus: 0,
        ...order,
      }
      return (await publishEvent(bus, events.OrderCancelled, data, { id: eventId })).id
    },
    /** The payment events about an order the observer received, in order. */
    eventsOf: (orderId: string) => seen.filter((e) => e.subject === orderId),
    typesOf: (orderId: string) => seen.filter((e) => e.subject === orderId).map((e) => e.type),
    /** The payload of the observed event of this contract about the order (the first one). */
    payloadOf<T>(contract: EventContract<T>, orderId: string): T {
      const event = seen.find((e) => e.subject === orderId && e.type === contract.type)
      if (!event) throw new Error(`no ${contract.type} about ${orderId} yet`)
      return contract.payload.decode(event.data)
    },
    async paymentRow(orderId: string) {
      const { rows } = await dbOf(stack, 'payments').query<{
        status: string
        failure_code: string
        fraud_source: string | null
        attempts: number
        method: string | null
        provider_reference: string | null
        claimed_until: Date | null
      }>(
        `select status, failure_code, fraud_source, attempts, method, provider_reference, claimed_until
           from payments where order_id = $1`,
        [orderId],
      )
      return rows[0]
    },
    async ledgerKinds(orderId: string) {
      const { rows } = await dbOf(stack, 'payments').query<{ kind: string }>(
        'select kind from ledger_transactions where order_id = $1 order by created_at',
        [orderId],
      )
      return rows.map((r) => r.kind)
    },
    /** The provider's charges for the order's payment. */
    async providerCharges(orderId: string) {
      const { rowCount } = await dbOf(stack, 'payments').query(
        `select 1 from provider_charges c join payments p on p.id::text = c.idempotency_key where p.order_id = $1`,
        [orderId],
      )
      return rowCount
    },
    /** The types payments recorded in its outbox about an order: committed with the change that raised them. */
    async emitted(orderId: string) {
      const { rows } = await dbOf(stack, 'payments').query<{ type: string }>(
        'select type from event_outbox where subject = $1 order by seq',
        [orderId],
      )
      return rows.map((r) => r.type)
    },
    /**
     * True once the group has handled the event: its stored position in the event's partition has passed it
     * (the witness for a group without an inbox, such as payments-charges).
     */
    async handledBy(group: string, eventId: string) {
      const { rowCount } = await busDb.query(
        `select 1 from bus_events e
           join bus_groups g on g.name = $1
           join bus_positions p on p.group_id = g.id and p.partition = e.partition
          where e.id = $2 and e.target_group is null and p.position >= e.seq`,
        [group, eventId],
      )
      return (rowCount ?? 0) > 0
    },
    async close() {
      payments.close()
      identity.close()
      await observer.stop()
      await bus.close()
      await busDb.end()
      await stack.close()
    },
  }
}

export type PaymentsStack = Awaited<ReturnType<typeof startPaymentsStack>>
