import type { Queryable, Tx } from '@microshop/chassis'
import type { ProviderOutcome } from '../domain/payment.js'

export interface ProviderCharge {
  reference: string
  outcome: ProviderOutcome
}

export type ProviderStore = typeof providerStore

/** The simulated provider's book of charges, one per idempotency key. */
export const providerStore = {
  async find(q: Queryable, key: string): Promise<ProviderCharge | undefined> {
    const { rows } = await q.query<ProviderCharge>(
      'select reference, outcome from provider_charges where idempotency_key = $1',
      [key],
    )
    return rows[0]
  },

  /** Records a charge unless the key has one; returns the charge the key stands for. */
  async record(tx: Tx, key: string, charge: ProviderCharge & { amount: number; currency: string }) {
    await tx.query(
      `insert into provider_charges (idempotency_key, reference, outcome, amount, currency)
       values ($1, $2, $3, $4, $5) on conflict (idempotency_key) do nothing`,
      [key, charge.reference, charge.outcome, charge.amount, charge.currency],
    )
    const recorded = await providerStore.find(tx, key)
    if (!recorded) throw new Error(`provider charge ${key} vanished right after it was recorded`)
    return recorded
  },
}
