/** The ledger's accounts: funds collected from customers (held at the provider), revenue, and refunds given. */
export const LEDGER_ACCOUNTS = ['customer_funds', 'merchant_revenue', 'refunds'] as const
export type LedgerAccount = (typeof LEDGER_ACCOUNTS)[number]

export type LedgerKind = 'capture' | 'refund'

export interface LedgerEntry {
  account: LedgerAccount
  direction: 'debit' | 'credit'
  amount: number
  currency: string
}

/** A capture: the customer's money comes in (debit customer_funds) and is earned (credit merchant_revenue). */
export const captureEntries = (amount: number, currency: string): LedgerEntry[] => [
  { account: 'customer_funds', direction: 'debit', amount, currency },
  { account: 'merchant_revenue', direction: 'credit', amount, currency },
]

/** A refund reverses a capture: given back (debit refunds) out of the funds held (credit customer_funds). */
export const refundEntries = (amount: number, currency: string): LedgerEntry[] => [
  { account: 'refunds', direction: 'debit', amount, currency },
  { account: 'customer_funds', direction: 'credit', amount, currency },
]

/** Balanced: positive whole amounts, and per currency the debits equal the credits. */
export function isBalanced(entries: readonly LedgerEntry[]): boolean {
  if (entries.length === 0) return false
  const net = new Map<string, number>()
  for (const e of entries) {
    if (!Number.isSafeInteger(e.amount) || e.amount <= 0) return false
    net.set(e.currency, (net.get(e.currency) ?? 0) + (e.direction === 'debit' ? e.amount : -e.amount))
  }
  return [...net.values()].every((n) => n === 0)
}

/** Each account's balance, debits positive, from a list of entries. */
export function balances(entries: readonly LedgerEntry[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const e of entries) {
    const key = `${e.account}:${e.currency}`
    out.set(key, (out.get(key) ?? 0) + (e.direction === 'debit' ? e.amount : -e.amount))
  }
  return out
}
