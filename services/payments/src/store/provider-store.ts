import type { Queryable } from '@microshop/chassis'
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

  /**
   * Records a charge unless the key has one; returns the charge the key stands for. One statement, so its own
   * transaction: the row it inserts, or the one already there.
   */
  async record(q: Queryable, key: string, charge: ProviderCharge & { amount: number; currency: string }) {
    const { rows } = await q.query<ProviderCharge>(
      `with recorded as (
         insert into provider_charges (idempotency_key, reference, outcome, amount, currency)
         values ($1, $2, $3, $4, $5) on conflict (idempotency_key) do nothing
         returning reference, outcome)
       select reference, outcome from recorded
       union all
       select reference, outcome from provider_charges
        where idempotency_key = $1 and not exists (select 1 from recorded)`,
      [key, charge.reference, charge.outcome, charge.amount, charge.currency],
    )
    // a charge of the same key committed while this one waited is not in the statement's snapshot: read it now
    const recorded = rows[0] ?? (await providerStore.find(q, key))
    if (!recorded) throw new Error(`provider charge ${key} vanished right after it was recorded`)
    return recorded
  },
}
