import type { Db } from '@microshop/chassis'
import type { CardBrand, CardFacts, ProviderBehaviour } from '../domain/card.js'

interface TokenRow {
  brand: CardBrand
  bin: string
  last4: string
  exp_month: number
  exp_year: number
  country: string
  behaviour: ProviderBehaviour
}

export type TokenStore = ReturnType<typeof createTokenStore>

/** Card tokens: what stands for a card once TokenizeCard has checked it. */
export function createTokenStore(db: Db) {
  return {
    async insert(token: string, card: CardFacts) {
      await db.query(
        `insert into card_tokens (token, brand, bin, last4, exp_month, exp_year, country, behaviour)
         values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [token, card.brand, card.bin, card.last4, card.expMonth, card.expYear, card.country, card.behaviour],
      )
    },

    async find(token: string): Promise<CardFacts | undefined> {
      const { rows } = await db.query<TokenRow>('select * from card_tokens where token = $1', [token])
      const r = rows[0]
      return r
        ? {
            brand: r.brand,
            bin: r.bin,
            last4: r.last4,
            expMonth: r.exp_month,
            expYear: r.exp_year,
            country: r.country,
            behaviour: r.behaviour,
          }
        : undefined
    },
  }
}
