/** The public API's shapes, as the gateway's OpenAPI document (/api/openapi.json) describes them. */

export interface Money {
  /** Minor units (cents) of the currency. */
  amount: number
  currency: string
}

export interface Page<T> {
  items: T[]
  nextPageToken?: string
}

export interface Product {
  id: string
  name: string
  description: string
  price: Money
  category: string
  imageUrl: string
  weightGrams?: number
}

export interface Availability {
  available: number
  inStock: boolean
}

export interface ProductDetail extends Product {
  related: Product[]
  /** null when stock cannot be read right now. */
  availability: Availability | null
}

export interface Category {
  id: string
  name: string
  productCount: number
}

export type Sort = 'name' | 'price_asc' | 'price_desc' | 'newest'

export interface CartLine {
  productId: string
  name: string
  quantity: number
  unitPrice: Money
  lineTotal: Money
  imageUrl: string
  /** False when the product left the catalog. */
  available: boolean
}

export interface Cart {
  id?: string
  cartToken?: string
  lines: CartLine[]
  itemCount: number
  subtotal: Money
  updatedAt?: string
}

export interface Tokens {
  accessToken: string
  refreshToken: string
  expiresIn: number
  tokenType: 'Bearer'
}

export interface PostalAddress {
  name?: string
  line1: string
  line2?: string
  city: string
  region?: string
  postalCode: string
  country: string
  phone?: string
}

export interface Address extends PostalAddress {
  id?: string
  label?: string
  isDefault?: boolean
}

export interface User {
  id: string
  email: string
  name: string
  roles: ('customer' | 'admin')[]
  status: 'active' | 'blocked'
  createdAt: string
  addresses: Address[]
}

export interface Card {
  number: string
  expMonth: number
  expYear: number
  cvc: string
}

export interface CardToken {
  token: string
  brand: string
  last4: string
}

export type OrderStatus = 'PENDING_PAYMENT' | 'CONFIRMED' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED'

export interface OrderLine {
  productId: string
  name: string
  quantity: number
  unitPrice: Money
  lineTotal: Money
}

export interface StatusChange {
  status: OrderStatus
  at: string
  reason?: string
}

export interface Order {
  id: string
  status: OrderStatus
  lines: OrderLine[]
  itemCount: number
  subtotal?: Money
  shipping?: Money
  total: Money
  shippingAddress?: PostalAddress
  paymentSummary?: string
  cancelReason?: string
  createdAt: string
  updatedAt: string
  history: StatusChange[]
}

export interface Payment {
  id: string
  status: 'PENDING' | 'CAPTURED' | 'FAILED' | 'REFUNDED'
  amount: Money
  refunded: Money
  method: string
  failureCode?: string
  failureReason?: string
  createdAt: string
  updatedAt: string
}

export interface Shipment {
  id: string
  parcelNumber?: number
  parcelCount?: number
  status: 'CREATED' | 'DISPATCHED' | 'DELIVERED' | 'CANCELLED'
  carrier: string
  trackingNumber: string
  cost: Money
  weightGrams?: number
  destinationCountry?: string
  estimatedDays?: number
  createdAt: string
  dispatchedAt?: string
  deliveredAt?: string
}

export interface OrderDetail extends Order {
  payment: Payment | null
  shipment: Shipment | null
  shipments: Shipment[]
}

export interface OrderAccepted {
  orderId: string
  status: OrderStatus
}

/** One `event: status` of GET /api/orders/{id}/events. */
export interface StatusEvent {
  orderId: string
  status: OrderStatus
  reason: string
  at: string
}

export interface ShippingQuote {
  cost: Money
  carrier: string
  estimatedDays: number
  parcels: { number: number; weightGrams: number; cost: Money; estimatedDays: number }[]
}

export interface Message {
  id: string
  channel: 'email' | 'sms'
  to: string
  subject: string
  body: string
  eventType: string
  orderId?: string
  sentAt: string
}

export interface ProductInput {
  name: string
  description?: string
  price: Money
  category: string
  imageUrl?: string
  weightGrams?: number
}

export interface StockLevel {
  productId: string
  available: number
  reserved: number
  onHand: number
}

export interface Sales {
  rows: { day: string; productId: string; quantity: number; revenue: Money }[]
  ordersConfirmed: number
  ordersCancelled: number
  revenue: Money
}

export interface Line {
  productId: string
  quantity: number
}
