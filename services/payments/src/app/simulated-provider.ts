import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Db } from '@microshop/chassis'
import type { ProviderBehaviour } from '../domain/card.js'
import type { ProviderCharge, ProviderStore } from '../store/provider-store.js'

export interface ChargeRequest {
  /** The same key always gets the same answer, and at most one capture. */
  idempotencyKey: string
  behaviour: ProviderBehaviour
  amount: number
  currency: string
}

export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ProviderCharge>
}

/**
 * The payment provider, simulated: it answers per DESIGN's test cards (the slow card after `slowDelayMs`),
 * and like a real one keeps its answer per idempotency key.
 */
export function createSimulatedProvider(deps: {
  db: Db
  store: ProviderStore
  slowDelayMs: number
}): PaymentProvider {
  const { db, store, slowDelayMs } = deps
  return {
    async charge(req) {
      const known = await store.find(db, req.idempotencyKey)
      if (known) return known
      // the simulated provider's own latency (DESIGN's slow test card), not a wait for something
      if (req.behaviour === 'slow') await sleep(slowDelayMs)
      return store.record(db, req.idempotencyKey, {
        reference: `ch_${randomBytes(12).toString('hex')}`,
        outcome: req.behaviour === 'decline' ? 'declined' : 'captured',
        amount: req.amount,
        currency: req.currency,
      })
    },
  }
}
