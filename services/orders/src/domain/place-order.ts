import type { FieldError } from '@microshop/chassis/errors'
import { OrdersErrors } from './errors.js'
import type { Money, OrderLine, ShippingAddress } from './order.js'

export const MAX_LINES = 50
export const MAX_QUANTITY = 99
const MAX_KEY_LENGTH = 100
const MAX_FIELD_LENGTH = 200

export interface RequestedLine {
  productId: string
  quantity: number
}

export interface CardInput {
  number: string
  expMonth: number
  expYear: number
  cvc: string
}

/** A PlaceOrder request as the API reads it: paid with a card, or with a token made beforehand. */
export interface PlaceOrderRequest {
  idempotencyKey: string
  lines: RequestedLine[]
  shippingAddress: ShippingAddress | undefined
  card: CardInput | undefined
  /** A token from payments' TokenizeCard; undefined when a card is sent. */
  token?: string | undefined
}

export interface ProductInfo {
  id: string
  name: string
  price: Money
  weightGrams: number
}

/** What a user holds now: orders waiting for payment, and the units those reserve. */
export interface Holdings {
  pendingOrders: number
  reservedUnits: number
}

/** The error when one more order of `lines` would pass the user's caps; undefined when it fits. */
export function checkHoldings(
  held: Holdings,
  lines: readonly RequestedLine[],
  caps: { maxPendingOrders: number; maxReservedUnits: number },
) {
  if (held.pendingOrders >= caps.maxPendingOrders) return OrdersErrors.tooManyPending(caps.maxPendingOrders)
  const units = lines.reduce((n, l) => n + l.quantity, 0)
  if (held.reservedUnits + units > caps.maxReservedUnits)
    return OrdersErrors.tooManyReserved(caps.maxReservedUnits, held.reservedUnits)
  return undefined
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/

export function checkIdempotencyKey(key: string): string {
  if (key.length < 1 || key.length > MAX_KEY_LENGTH || CONTROL.test(key))
    throw OrdersErrors.invalidIdempotencyKey()
  return key
}

const REQUIRED_ADDRESS_FIELDS = ['name', 'line1', 'city', 'postalCode', 'country'] as const
const OPTIONAL_ADDRESS_FIELDS = ['line2', 'region', 'phone'] as const

function addressProblems(address: ShippingAddress | undefined): FieldError[] {
  if (!address) return [{ field: 'shippingAddress', message: 'required' }]
  const problems: FieldError[] = []
  for (const key of REQUIRED_ADDRESS_FIELDS)
    if (address[key].trim() === '') problems.push({ field: `shippingAddress.${key}`, message: 'required' })
  for (const key of [...REQUIRED_ADDRESS_FIELDS, ...OPTIONAL_ADDRESS_FIELDS])
    if (address[key].length > MAX_FIELD_LENGTH || CONTROL.test(address[key]))
      problems.push({
        field: `shippingAddress.${key}`,
        message: `at most ${MAX_FIELD_LENGTH} characters, no control characters`,
      })
  if (address.country.trim() !== '' && !/^[A-Z]{2}$/.test(address.country.trim().toUpperCase()))
    problems.push({ field: 'shippingAddress.country', message: 'an ISO 3166-1 alpha-2 code, e.g. US' })
  return problems
}

/** Problems with the order's lines (1 to 50, quantities 1 to 99, each product once); `lines` names the source. */
export function lineProblems(lines: readonly RequestedLine[], source = 'lines'): FieldError[] {
  if (lines.length === 0) return [{ field: source, message: 'at least one line' }]
  if (lines.length > MAX_LINES) return [{ field: source, message: `at most ${MAX_LINES} lines` }]
  const problems: FieldError[] = []
  const seen = new Set<string>()
  lines.forEach((line, i) => {
    if (line.productId === '' || line.productId.length > MAX_FIELD_LENGTH || CONTROL.test(line.productId))
      problems.push({ field: `${source}[${i}].productId`, message: 'a product id' })
    else if (seen.has(line.productId))
      problems.push({ field: `${source}[${i}].productId`, message: 'listed twice: one line per product' })
    seen.add(line.productId)
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY)
      problems.push({ field: `${source}[${i}].quantity`, message: `from 1 to ${MAX_QUANTITY}` })
  })
  return problems
}

const TOKEN = /^[\x21-\x7e]{1,200}$/

/** Exactly one way to pay: a card (its number at least), or a token from TokenizeCard. */
function paymentProblems(req: PlaceOrderRequest): FieldError[] {
  if (req.card && req.token !== undefined)
    return [
      { field: 'payment.card', message: 'send a card or a token, not both' },
      { field: 'payment.token', message: 'send a card or a token, not both' },
    ]
  if (req.token !== undefined)
    return TOKEN.test(req.token) ? [] : [{ field: 'payment.token', message: 'a token from TokenizeCard' }]
  if (!req.card || req.card.number.trim() === '')
    return [{ field: 'payment.card.number', message: 'required (or send payment.token)' }]
  return []
}

/**
 * The request's problems, every one at once (INVALID_ARGUMENT naming the fields); empty lines are fine
 * here: they mean the caller's cart, checked once it is read.
 */
export function validatePlaceOrder(req: PlaceOrderRequest): void {
  const problems = [...addressProblems(req.shippingAddress)]
  if (req.lines.length > 0) problems.push(...lineProblems(req.lines))
  problems.push(...paymentProblems(req))
  if (problems.length > 0) throw OrdersErrors.invalidRequest(problems)
}

/** The address as stored: trimmed, country upper-cased. */
export const normaliseAddress = (a: ShippingAddress): ShippingAddress => ({
  name: a.name.trim(),
  line1: a.line1.trim(),
  line2: a.line2.trim(),
  city: a.city.trim(),
  region: a.region.trim(),
  postalCode: a.postalCode.trim(),
  country: a.country.trim().toUpperCase(),
  phone: a.phone.trim(),
})

export interface PricedLines {
  lines: OrderLine[]
  subtotal: Money
  weightGrams: number
}

/** The lines at the catalog's prices; NOT_FOUND naming every line whose product the catalog lacks. */
export function priceLines(
  requested: readonly RequestedLine[],
  products: readonly ProductInfo[],
  source = 'lines',
): PricedLines {
  const byId = new Map(products.map((p) => [p.id, p]))
  const missing = requested.flatMap((line, i) =>
    byId.has(line.productId)
      ? []
      : [{ field: `${source}[${i}].productId`, message: `no product "${line.productId}"` }],
  )
  if (missing.length > 0) throw OrdersErrors.unknownProducts(missing)
  const currency = byId.get(requested[0]!.productId)!.price.currency
  const lines = requested.map((line): OrderLine => {
    const product = byId.get(line.productId)!
    if (product.price.currency !== currency) throw OrdersErrors.mixedCurrencies()
    return {
      productId: product.id,
      name: product.name,
      quantity: line.quantity,
      unitPrice: product.price,
      lineTotal: { amount: product.price.amount * line.quantity, currency },
      weightGrams: product.weightGrams,
    }
  })
  return {
    lines,
    subtotal: { amount: lines.reduce((sum, l) => sum + l.lineTotal.amount, 0), currency },
    weightGrams: lines.reduce((sum, l) => sum + l.weightGrams * l.quantity, 0),
  }
}

/** "visa •••• 4242" */
export const paymentSummary = (brand: string, last4: string) => `${brand || 'card'} •••• ${last4}`
