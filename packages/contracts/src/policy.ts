/**
 * Which service may call which RPC of which service: the edges of the system's call graph, the one table the
 * chassis checks every call against (the caller named by its mTLS certificate) before a handler runs.
 * Keyed by the called service's name, then by the RPC as named in its .proto. An RPC not listed is open to no
 * one; a new call from code is a new line here (a test compares this table with the calls the services make).
 * Admin RPCs are further checked by their service for a forwarded user token with the `admin` role.
 */
export const callPolicy = {
  identity: {
    Register: ['gateway'],
    Login: ['gateway'],
    Refresh: ['gateway'],
    Logout: ['gateway'],
    GetProfile: ['gateway'],
    UpdateProfile: ['gateway'],
    // orders with the buyer's forwarded token (that user only); fraud with none, for an account's age and status
    GetUser: ['fraud', 'orders'],
    // the public keys of access tokens: every service that checks callers
    GetJwks: ['cart', 'catalog', 'gateway', 'inventory', 'notifications', 'orders', 'payments', 'shipping'],
  },
  catalog: {
    GetProduct: ['gateway'],
    GetProducts: ['cart', 'gateway', 'inventory', 'orders'],
    ListProducts: ['gateway', 'inventory'],
    SearchProducts: ['gateway'],
    ListCategories: ['gateway'],
    UpsertProduct: ['gateway'],
  },
  cart: {
    GetCart: ['gateway', 'orders'],
    AddItem: ['gateway'],
    UpdateItem: ['gateway'],
    RemoveItem: ['gateway'],
    ClearCart: ['gateway'],
    MergeCarts: ['gateway'],
  },
  inventory: {
    GetAvailability: ['gateway'],
    ReserveStock: ['orders'],
    ReleaseReservation: ['orders'],
    SetStock: ['gateway'],
  },
  orders: {
    PlaceOrder: ['gateway'],
    ListOrders: ['gateway'],
    GetOrder: ['gateway'],
    CancelOrder: ['gateway'],
    GetSales: ['gateway'],
  },
  payments: {
    TokenizeCard: ['gateway', 'orders'],
    GetPayment: ['gateway'],
  },
  fraud: {
    Score: ['payments'],
  },
  shipping: {
    Quote: ['gateway', 'orders'],
    GetShipment: ['gateway'],
  },
  notifications: {
    ListMessages: ['gateway'],
  },
} as const satisfies Record<string, Record<string, readonly string[]>>

export type CalledService = keyof typeof callPolicy

const PATH = /^\/microshop\.([a-z]+)\.v\d+\.[A-Za-z]+\/([A-Za-z]+)$/

/** Whether `caller` may call the RPC at `path` (`/microshop.catalog.v1.CatalogService/UpsertProduct`). */
export function mayCall(caller: string, path: string): boolean {
  const match = PATH.exec(path)
  if (!match) return false
  const rpcs = (callPolicy as Record<string, Record<string, readonly string[]>>)[match[1] ?? '']
  return rpcs?.[match[2] ?? '']?.includes(caller) ?? false
}

/** The services `caller` may call (the edges out of it). */
export function calleesOf(caller: string): string[] {
  return Object.entries(callPolicy)
    .filter(([, rpcs]) =>
      Object.values(rpcs).some((callers) => (callers as readonly string[]).includes(caller)),
    )
    .map(([service]) => service)
}
