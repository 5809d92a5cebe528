import { call, get, query } from './http'
import type {
  Address,
  Card,
  CardToken,
  Cart,
  Category,
  Line,
  Message,
  Order,
  OrderAccepted,
  OrderDetail,
  Page,
  PostalAddress,
  Product,
  ProductDetail,
  ProductInput,
  Sales,
  ShippingQuote,
  Sort,
  StockLevel,
  Tokens,
  User,
} from './types'

/** Every route of the public API the storefront uses, typed; nothing else talks to the gateway. */

const enc = encodeURIComponent

export const catalog = {
  categories: (signal?: AbortSignal) => get<{ items: Category[] }>('/api/categories', { signal }),
  products: (
    q: { category?: string; sort?: Sort; pageSize?: number; pageToken?: string },
    signal?: AbortSignal,
  ) => get<Page<Product>>(`/api/products${query(q)}`, { signal }),
  search: (q: { q: string; pageSize?: number; pageToken?: string }, signal?: AbortSignal) =>
    get<Page<Product>>(`/api/search${query(q)}`, { signal }),
  // availability moves by the second: revalidate (a 304 is cheap) rather than trust the browser's copy
  product: (id: string, signal?: AbortSignal) =>
    get<ProductDetail>(`/api/products/${enc(id)}`, { signal, cache: 'no-cache' }),
}

const cartHeaders = (cartToken: string | undefined) => (cartToken ? { 'x-cart-token': cartToken } : undefined)

export const carts = {
  get: (cartToken?: string) =>
    get<Cart>('/api/cart', { auth: 'optional', headers: cartHeaders(cartToken), cache: 'no-store' }),
  add: (cartToken: string | undefined, productId: string, quantity: number) =>
    get<Cart>('/api/cart/items', {
      method: 'POST',
      auth: 'optional',
      headers: cartHeaders(cartToken),
      json: { productId, quantity },
    }),
  update: (cartToken: string | undefined, productId: string, quantity: number) =>
    get<Cart>(`/api/cart/items/${enc(productId)}`, {
      method: 'PATCH',
      auth: 'optional',
      headers: cartHeaders(cartToken),
      json: { quantity },
    }),
  remove: (cartToken: string | undefined, productId: string) =>
    get<Cart>(`/api/cart/items/${enc(productId)}`, {
      method: 'DELETE',
      auth: 'optional',
      headers: cartHeaders(cartToken),
    }),
}

export const auth = {
  register: (input: { email: string; password: string; name: string }) =>
    get<User>('/api/auth/register', { method: 'POST', json: input }),
  login: (input: { email: string; password: string }, cartToken?: string) =>
    get<Tokens>('/api/auth/login', { method: 'POST', json: input, headers: cartHeaders(cartToken) }),
  refresh: (refreshToken: string) =>
    get<Tokens>('/api/auth/refresh', { method: 'POST', json: { refreshToken } }),
  logout: (refreshToken: string) => call('/api/auth/logout', { method: 'POST', json: { refreshToken } }),
}

export const account = {
  me: () => get<User>('/api/me', { auth: true, cache: 'no-store' }),
  update: (patch: { name?: string; addresses?: Address[] }) =>
    get<User>('/api/me', { method: 'PATCH', auth: true, json: patch }),
  messages: (q: { pageSize?: number; pageToken?: string; orderId?: string } = {}) =>
    get<Page<Message>>(`/api/messages${query(q)}`, { auth: true, cache: 'no-store' }),
}

export const checkout = {
  quote: (country: string, lines: Line[]) =>
    get<ShippingQuote>('/api/shipping/quote', { method: 'POST', auth: 'optional', json: { country, lines } }),
  tokenize: (card: Card) =>
    get<CardToken>('/api/payments/tokens', { method: 'POST', auth: true, json: { card } }),
  place: (
    idempotencyKey: string,
    body: { lines: Line[]; shippingAddress: PostalAddress; payment: { token: string } },
  ) =>
    get<OrderAccepted>('/api/orders', {
      method: 'POST',
      auth: true,
      headers: { 'idempotency-key': idempotencyKey },
      json: body,
    }),
}

export const orders = {
  list: (q: { pageSize?: number; pageToken?: string } = {}) =>
    get<Page<Order>>(`/api/orders${query(q)}`, { auth: true, cache: 'no-store' }),
  detail: (id: string) => get<OrderDetail>(`/api/orders/${enc(id)}`, { auth: true, cache: 'no-store' }),
  cancel: (id: string) => get<Order>(`/api/orders/${enc(id)}/cancel`, { method: 'POST', auth: true }),
  /** The live status stream's URL: EventSource sends no headers, so the token rides in the query. */
  eventsUrl: (id: string, accessToken: string) =>
    `/api/orders/${enc(id)}/events${query({ access_token: accessToken })}`,
}

export const admin = {
  create: (input: ProductInput & { id?: string }) =>
    get<Product>('/api/admin/products', { method: 'POST', auth: true, json: input }),
  put: (id: string, input: ProductInput) =>
    get<Product>(`/api/admin/products/${enc(id)}`, { method: 'PUT', auth: true, json: input }),
  setStock: (productId: string, quantity: number) =>
    get<StockLevel>(`/api/admin/stock/${enc(productId)}`, { method: 'PUT', auth: true, json: { quantity } }),
  sales: (range: { from?: string; to?: string }) =>
    get<Sales>(`/api/admin/sales${query(range)}`, { auth: true, cache: 'no-store' }),
}
