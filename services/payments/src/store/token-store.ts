import type { Queryable, Tx } from '@microshop/chassis'
import type { CardBrand, CardFacts, ProviderBehaviour } from '../domain/card.js'

interface TokenRow {
  brand: CardBrand
  bin: string
  last4: string
  exp_month: number
  exp_year: number
  country: string
  behaviour: ProviderBehaviour
  user_id: string | null
}

/** A card token as kept: the card's facts and, when a user made it, whose it is. */
export interface StoredToken {
  card: CardFacts
  /** Undefined for a token made without a user's access token. */
  userId: string | undefined
}

export type TokenStore = typeof tokenStore

/** Card tokens: what stands for a card once TokenizeCard has checked it. */
export const tokenStore = {
  async insert(tx: Tx, token: string, card: CardFacts, userId: string | undefined) {
    await tx.query(
      `insert into card_tokens (token, brand, bin, last4, exp_month, exp_year, country, behaviour, user_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        token,
        card.brand,
        card.bin,
        card.last4,
        card.expMonth,
        card.expYear,
        card.country,
        card.behaviour,
        userId ?? null,
      ],
    )
  },

  async find(q: Queryable, token: string): Promise<StoredToken | undefined> {
    const { rows } = await q.query<TokenRow>('select * from card_tokens where token = $1', [token])
    const r = rows[0]
    if (!r) return undefined
    return {
      card: {
        brand: r.brand,
        bin: r.bin,
        last4: r.last4,
        expMonth: r.exp_month,
        expYear: r.exp_year,
        country: r.country,
        behaviour: r.behaviour,
      },
      userId: r.user_id ?? undefined,
    }
  },
}
