import { describe, expect, it } from 'vitest'
import { balances, captureEntries, isBalanced, type LedgerEntry, refundEntries } from './ledger.js'

describe('double-entry ledger', () => {
  it('when an amount is captured or refunded, then its entries balance', () => {
    expect(isBalanced(captureEntries(4_999, 'USD'))).toBe(true)
    expect(isBalanced(refundEntries(4_999, 'USD'))).toBe(true)
  })

  it('when a capture is refunded, then the customer funds are back to zero and the refund mirrors the revenue', () => {
    const all = [...captureEntries(4_999, 'USD'), ...refundEntries(4_999, 'USD')]
    expect(isBalanced(all)).toBe(true)
    expect(Object.fromEntries(balances(all))).toEqual({
      'customer_funds:USD': 0,
      'merchant_revenue:USD': -4_999,
      'refunds:USD': 4_999,
    })
  })

  it('when entries do not balance, have no amount, or mix currencies, then they are refused', () => {
    const [debit, credit] = captureEntries(100, 'USD') as [LedgerEntry, LedgerEntry]
    expect(isBalanced([debit])).toBe(false)
    expect(isBalanced([debit, { ...credit, amount: 99 }])).toBe(false)
    expect(isBalanced([debit, { ...credit, currency: 'EUR' }])).toBe(false)
    expect(isBalanced(captureEntries(0, 'USD'))).toBe(false)
    expect(isBalanced(captureEntries(1.5, 'USD'))).toBe(false)
    expect(isBalanced([])).toBe(false)
  })
})
