import type { Db } from '@microshop/chassis'
import type { ProviderOutcome } from '../domain/payment.js'

export interface ProviderCharge {
  reference: string
  outcome: ProviderOutcome
}

export type ProviderStore = ReturnType<typeof createProviderStore>

/** The simulated provider's book of charges, one per idempotency key. */
export function createProviderStore(db: Db) {
  return {
    async find(key: string): Promise<ProviderCharge | undefined> {
      const { rows } = await db.query<ProviderCharge>(
        'select reference, outcome from provider_charges where idempotency_key = $1',
        [key],
      )
      return rows[0]
    },

    /** Records a charge unless the key has one; returns the charge the key stands for. */
    async record(key: string, charge: ProviderCharge & { amount: number; currency: string }) {
      await db.query(
        `insert into provider_charges (idempotency_key, reference, outcome, amount, currency)
         values ($1, $2, $3, $4, $5) on conflict (idempotency_key) do nothing`,
        [key, charge.reference, charge.outcome, charge.amount, charge.currency],
      )
      return (await this.find(key))!
    },
  }
}
