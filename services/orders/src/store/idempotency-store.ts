import { randomUUID } from 'node:crypto'
import type { Tx } from '@microshop/chassis'

export interface StoredResponse {
  orderId: string
  status: string
}

export type Claim =
  | { kind: 'claimed'; claimId: string }
  | { kind: 'completed'; fingerprint: string; response: StoredResponse }
  | { kind: 'in_flight'; fingerprint: string }

interface KeyRow {
  fingerprint: string
  state: 'in_flight' | 'completed'
  response: StoredResponse | null
}

export type IdempotencyStore = typeof idempotencyStore

/** PlaceOrder's idempotency records: one per (user, key). */
export const idempotencyStore = {
  /**
   * Claims the key; run it in a transaction of its own and committed at once, so a concurrent duplicate
   * sees it. A claim left in flight past its time (its process died) is taken over.
   */
  async claim(tx: Tx, userId: string, key: string, fingerprint: string, holdSeconds: number): Promise<Claim> {
    const claimId = randomUUID()
    const { rowCount } = await tx.query(
      `insert into idempotency_keys (user_id, key, fingerprint, claim_id, state, claimed_until)
       values ($1, $2, $3, $5, 'in_flight', now() + make_interval(secs => $4))
       on conflict (user_id, key) do update
         set claim_id = excluded.claim_id, claimed_until = excluded.claimed_until, created_at = now()
         where idempotency_keys.state = 'in_flight' and idempotency_keys.claimed_until < now()
           and idempotency_keys.fingerprint = excluded.fingerprint`,
      [userId, key, fingerprint, holdSeconds, claimId],
    )
    if (rowCount === 1) return { kind: 'claimed', claimId }
    const { rows } = await tx.query<KeyRow>(
      'select fingerprint, state, response from idempotency_keys where user_id = $1 and key = $2',
      [userId, key],
    )
    const row = rows[0]
    // released between our insert and our read: the caller may simply try again
    if (!row) return { kind: 'in_flight', fingerprint }
    if (row.state === 'completed' && row.response)
      return { kind: 'completed', fingerprint: row.fingerprint, response: row.response }
    return { kind: 'in_flight', fingerprint: row.fingerprint }
  },

  /** Records the response, in the order's transaction; false when the claim is no longer ours. */
  async complete(tx: Tx, userId: string, key: string, claimId: string, response: StoredResponse) {
    const { rowCount } = await tx.query(
      `update idempotency_keys set state = 'completed', response = $4
        where user_id = $1 and key = $2 and claim_id = $3 and state = 'in_flight'`,
      [userId, key, claimId, JSON.stringify(response)],
    )
    return rowCount === 1
  },

  /** Gives up a claim after a failed attempt, so that a retry with the key can succeed. */
  async release(tx: Tx, userId: string, key: string, claimId: string) {
    await tx.query(
      `delete from idempotency_keys where user_id = $1 and key = $2 and claim_id = $3 and state = 'in_flight'`,
      [userId, key, claimId],
    )
  },

  /** Forgets keys older than the retention; returns how many. */
  async prune(tx: Tx, retentionSeconds: number): Promise<number> {
    const { rowCount } = await tx.query(
      `delete from idempotency_keys
        where created_at < now() - make_interval(secs => $1) and (state = 'completed' or claimed_until < now())`,
      [retentionSeconds],
    )
    return rowCount ?? 0
  },
}
