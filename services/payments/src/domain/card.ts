import type { FieldError } from '@microshop/chassis/errors'

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'diners' | 'jcb' | 'unknown'

/** How the simulated provider answers for a card: DESIGN's test cards, everything else approved. */
export type ProviderBehaviour = 'approve' | 'decline' | 'slow'

/** What payments keeps of a card: never the number, never the CVC. */
export interface CardFacts {
  brand: CardBrand
  bin: string
  last4: string
  expMonth: number
  expYear: number
  /** ISO 3166-1 alpha-2 of the issuer, '' when the BIN table does not know it. */
  country: string
  behaviour: ProviderBehaviour
}

export interface CardInput {
  number: string
  expMonth: number
  expYear: number
  cvc: string
}

export const TEST_CARDS = {
  succeeds: '4242424242424242',
  declined: '4000000000000002',
  fraud: '4100000000000019',
  slow: '4000000000000077',
} as const

const BEHAVIOURS: Record<string, ProviderBehaviour> = {
  [TEST_CARDS.declined]: 'decline',
  [TEST_CARDS.slow]: 'slow',
}

// longest prefix wins; Stripe's country test cards carry the ISO numeric code after the 400000 BIN
const ISSUER_COUNTRIES: ReadonlyArray<readonly [string, string]> = [
  ['4000000760', 'BR'],
  ['4000001240', 'CA'],
  ['4000002500', 'FR'],
  ['4000002760', 'DE'],
  ['4000003920', 'JP'],
  ['4000008260', 'GB'],
  ['424242', 'US'],
  ['400000', 'US'],
  ['410000', 'US'],
  ['555555', 'US'],
  ['222300', 'US'],
  ['378282', 'US'],
  ['371449', 'US'],
  ['601111', 'US'],
]

/** Luhn's checksum over a string of digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/** The card network, from the number's leading digits. */
export function brandOf(digits: string): CardBrand {
  const two = Number(digits.slice(0, 2))
  const three = Number(digits.slice(0, 3))
  const four = Number(digits.slice(0, 4))
  if (digits.startsWith('4')) return 'visa'
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'mastercard'
  if (two === 34 || two === 37) return 'amex'
  if (digits.startsWith('6011') || two === 65 || (three >= 644 && three <= 649)) return 'discover'
  if (two === 36 || two === 38 || (three >= 300 && three <= 305)) return 'diners'
  if (four >= 3528 && four <= 3589) return 'jcb'
  return 'unknown'
}

export const countryOf = (digits: string) =>
  ISSUER_COUNTRIES.filter(([prefix]) => digits.startsWith(prefix)).sort(
    (a, b) => b[0].length - a[0].length,
  )[0]?.[1] ?? ''

const LENGTHS: Record<CardBrand, number[]> = {
  visa: [13, 16, 19],
  mastercard: [16],
  amex: [15],
  discover: [16, 19],
  diners: [14, 16],
  jcb: [16, 19],
  unknown: [],
}

/** Checks a card as a person typed it; the facts to keep, or every problem, each naming its field of the card. */
export function checkCard(input: CardInput, now: Date): { card: CardFacts } | { problems: FieldError[] } {
  const problems: FieldError[] = []
  const digits = input.number.replace(/[\s-]/g, '')
  const brand = brandOf(digits)
  if (!/^\d{12,19}$/.test(digits)) problems.push({ field: 'number', message: '12 to 19 digits' })
  else if (brand === 'unknown' || !LENGTHS[brand].includes(digits.length))
    problems.push({ field: 'number', message: 'not a card number we accept' })
  else if (!luhnValid(digits))
    problems.push({ field: 'number', message: 'not a valid card number: check the digits' })
  const month = input.expMonth
  const year = input.expYear < 100 ? 2000 + input.expYear : input.expYear
  const thisYear = now.getUTCFullYear()
  if (!Number.isInteger(month) || month < 1 || month > 12)
    problems.push({ field: 'expMonth', message: 'a month from 1 to 12' })
  else if (!Number.isInteger(year) || year > thisYear + 20)
    problems.push({ field: 'expYear', message: `a year up to ${thisYear + 20}` })
  else if (year < thisYear || (year === thisYear && month < now.getUTCMonth() + 1))
    problems.push({ field: 'expYear', message: 'the card has expired' })
  if (!/^\d{3,4}$/.test(input.cvc)) problems.push({ field: 'cvc', message: '3 or 4 digits' })
  if (problems.length > 0) return { problems }
  return {
    card: {
      brand,
      bin: digits.slice(0, 6),
      last4: digits.slice(-4),
      expMonth: month,
      expYear: year,
      country: countryOf(digits),
      behaviour: BEHAVIOURS[digits] ?? 'approve',
    },
  }
}

/** How a card is shown: "visa •••• 4242". */
export const describeCard = (card: Pick<CardFacts, 'brand' | 'last4'>) => `${card.brand} •••• ${card.last4}`
