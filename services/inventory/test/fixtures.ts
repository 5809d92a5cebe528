import type { CallOptions, Db, ServiceClient } from '@microshop/chassis'
import {
  type CloudEvent,
  createServiceClient,
  type EventBus,
  openEventBus,
} from '@microshop/chassis/internal'
import {
  inboxRecorded,
  publishEvent,
  silentLogger,
  staticDiscovery,
  waitFor,
} from '@microshop/chassis/testing'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import type { EventContract } from '@microshop/contracts/events'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { InventoryServiceService } from '@microshop/contracts/inventory/v1/inventory'
import { type Stack, startStack } from '../../../test-support/stack.js'
import { stockInvariantsSql } from '../src/store/invariants.js'

export const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }
const PASSWORD = 'correct-horse-battery-9'

export interface InventoryStack {
  stack: Stack
  inventory: ServiceClient<typeof InventoryServiceService>
  catalog: ServiceClient<typeof CatalogServiceService>
  identity: ServiceClient<typeof IdentityServiceService>
  /** The test's own connection to the event log, to publish what other services would. */
  bus: EventBus
  /** Call options that act as the admin: a real access token from identity. */
  admin: CallOptions
  /** A new product in the catalog with this much on hand in the inventory (set by the admin). */
  product(onHand: number): Promise<string>
  /** The inventory's database (of the instance the stack started first). */
  db(): Db
  /** Publishes an event as its owner's relay would, on the real event log; answers it with its id. */
  publish<T>(contract: EventContract<T>, payload: T, opts?: { id?: string }): Promise<CloudEvent>
  /** Waits until the group has handled the event (its inbox record is committed with its effect). */
  handled(group: string, event: Pick<CloudEvent, 'id'>): Promise<void>
  /** The inventory's outbox rows, oldest first, of the given event types. */
  outbox(types: { type: string }[]): Promise<{ id: string; type: string; subject: string; data: Buffer }[]>
  /** The rows of the invariants SQL: violations, none when every invariant holds. */
  violations(): Promise<{ product_id: string; order_id: string | null; violation: string }[]>
  stop(): Promise<void>
}

let productSeq = 0

const clientFor = <D extends typeof InventoryServiceService | typeof CatalogServiceService>(
  service: string,
  definition: D,
  port: number | undefined,
) =>
  createServiceClient({
    service,
    definition,
    discovery: staticDiscovery([`127.0.0.1:${port}`]),
    log: silentLogger,
    deadlineMs: 10_000,
  })

/** Real identity, catalog and inventory, with the event log, each with its own database. */
export async function startInventoryStack(
  inventoryEnv: Record<string, string> = {},
): Promise<InventoryStack> {
  const stack = await startStack(['identity', 'catalog', 'inventory'], {
    identity: { IDENTITY_ARGON2_MEMORY_KIB: '8192', IDENTITY_ARGON2_TIME_COST: '1' },
    inventory: { INVENTORY_SWEEP_INTERVAL_MS: '100', INVENTORY_SEED_RETRY_MS: '100', ...inventoryEnv },
  })
  const inventory = clientFor('inventory', InventoryServiceService, stack.services.inventory!.grpcPort)
  const catalog = clientFor('catalog', CatalogServiceService, stack.services.catalog!.grpcPort)
  const identity = createServiceClient({
    service: 'identity',
    definition: IdentityServiceService,
    discovery: staticDiscovery([`127.0.0.1:${stack.services.identity!.grpcPort}`]),
    log: silentLogger,
    deadlineMs: 10_000,
  })
  const bus = await openEventBus(stack.databases.bus!.url, { log: silentLogger })
  const { tokens } = await identity.call('login', ADMIN)
  const admin = { authorization: `Bearer ${tokens!.accessToken}` }
  const db = () => {
    const running = stack.services.inventory?.db
    if (!running) throw new Error('the inventory is not running')
    return running
  }

  return {
    stack,
    inventory,
    catalog,
    identity,
    bus,
    admin,
    async product(onHand) {
      const id = `inv-test-${process.pid}-${++productSeq}`
      await catalog.call(
        'upsertProduct',
        {
          product: {
            id,
            name: `Inventory test ${productSeq}`,
            description: 'made for an inventory test',
            price: { amount: 1_000, currency: 'USD' },
            category: 'home',
            imageUrl: '',
            weightGrams: 100,
            updatedAt: '',
          },
          createOnly: true,
        },
        admin,
      )
      await inventory.call('setStock', { productId: id, onHand }, admin)
      return id
    },
    db,
    publish: (contract, payload, opts) => publishEvent(bus, contract, payload, opts),
    async handled(group, event) {
      await waitFor(() => inboxRecorded(db(), group, event.id), { what: `${group} handling ${event.id}` })
    },
    async outbox(types) {
      const { rows } = await db().query<{ id: string; type: string; subject: string; data: Buffer }>(
        'select id, type, subject, data from event_outbox where type = any($1::text[]) order by seq',
        [types.map((t) => t.type)],
      )
      return rows
    },
    async violations() {
      return (await db().query(stockInvariantsSql())).rows as Awaited<
        ReturnType<InventoryStack['violations']>
      >
    },
    async stop() {
      await bus.close()
      inventory.close()
      catalog.close()
      identity.close()
      await stack.close()
    },
  }
}

/** A customer's call options: registered and signed in at identity. */
export async function signedUpCustomer(identity: InventoryStack['identity']): Promise<CallOptions> {
  const email = `inventory-customer.${process.pid}.${Date.now()}@example.com`
  await identity.call('register', { email, password: PASSWORD, name: 'Customer' })
  const { tokens } = await identity.call('login', { email, password: PASSWORD })
  return { authorization: `Bearer ${tokens!.accessToken}` }
}
