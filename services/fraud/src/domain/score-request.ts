import type { FieldError } from '@microshop/chassis/errors'

/** A payment to score, as the rules need it. */
export interface PaymentToScore {
  orderId: string
  userId: string
  amount: number
  currency: string
  cardBin: string
  cardLast4: string
  cardCountry: string
  shippingCountry: string
}

const COUNTRY = /^[A-Z]{2}$/

/** The problems of a request, each naming its field; empty when it can be scored. */
export function scoreRequestProblems(p: PaymentToScore): FieldError[] {
  const problems: FieldError[] = []
  if (!p.orderId || p.orderId.length > 200)
    problems.push({ field: 'order_id', message: '1 to 200 characters' })
  if (!p.userId || p.userId.length > 200) problems.push({ field: 'user_id', message: '1 to 200 characters' })
  if (!Number.isSafeInteger(p.amount) || p.amount < 0)
    problems.push({ field: 'amount.amount', message: 'a whole number of minor units, 0 or more' })
  if (p.cardBin && !/^\d{6}$/.test(p.cardBin)) problems.push({ field: 'card_bin', message: '6 digits' })
  if (p.cardLast4 && !/^\d{4}$/.test(p.cardLast4)) problems.push({ field: 'card_last4', message: '4 digits' })
  if (p.cardCountry && !COUNTRY.test(p.cardCountry))
    problems.push({ field: 'card_country', message: 'ISO 3166-1 alpha-2, e.g. US' })
  if (p.shippingCountry && !COUNTRY.test(p.shippingCountry))
    problems.push({ field: 'shipping_country', message: 'ISO 3166-1 alpha-2, e.g. US' })
  return problems
}
