import type { Money, OrderStatus } from './api/types'

const formatters = new Map<string, { format: Intl.NumberFormat; digits: number }>()

/** Money as people read it, from minor units: 1299 USD is $12.99, 1299 JPY is ¥1,299. */
export function formatMoney(m: Money, locale = 'en-US'): string {
  const id = `${locale} ${m.currency}`
  let f = formatters.get(id)
  if (!f) {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency })
    f = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2 }
    formatters.set(id, f)
  }
  return f.format.format(m.amount / 10 ** f.digits)
}

/** A decimal a person typed ("12.5", "12,50") as minor units of the currency, or undefined when it is none. */
export function minorUnits(typed: string, currency: string): number | undefined {
  const text = typed.trim().replace(',', '.')
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined
  const digits =
    new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
    2
  const [whole = '0', fraction = ''] = text.split('.')
  if (fraction.length > digits) return undefined
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0')
}

/** Minor units back as the decimal a person edits: 1299 USD is "12.99". */
export function decimalOf(m: Money): string {
  const digits =
    new Intl.NumberFormat('en-US', { style: 'currency', currency: m.currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  return digits === 0 ? String(m.amount) : (m.amount / 10 ** digits).toFixed(digits)
}

const dateTime = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' })
const time = new Intl.DateTimeFormat('en-US', { timeStyle: 'medium' })

export const formatDateTime = (iso: string) => (iso ? dateTime.format(new Date(iso)) : '')
export const formatTime = (iso: string) => (iso ? time.format(new Date(iso)) : '')

export const STATUS_LABELS: Record<OrderStatus, string> = {
  PENDING_PAYMENT: 'Waiting for payment',
  CONFIRMED: 'Confirmed',
  SHIPPED: 'Shipped',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
}

const CANCEL_REASONS: Record<string, string> = {
  payment_failed: 'the payment did not go through',
  reservation_expired: 'the items could not be held until the payment went through',
  customer_cancelled: 'you cancelled it',
}

export const cancelReasonText = (reason: string | undefined) =>
  (reason && CANCEL_REASONS[reason]) || reason || 'no reason was given'

/** "2 items", "1 item". */
export const items = (n: number) => `${n} ${n === 1 ? 'item' : 'items'}`
