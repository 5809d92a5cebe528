import { randomBytes } from 'node:crypto'
import type { Clock, Db } from '@microshop/chassis'
import { type CardFacts, type CardInput, checkCard } from '../domain/card.js'
import { PaymentsErrors } from '../domain/errors.js'
import type { TokenStore } from '../store/token-store.js'

export type TokenizeCard = ReturnType<typeof createTokenizeCard>

/**
 * Checks a card and keeps what payments needs of it under a new token; the number goes no further. A token
 * made for a user (`userId`, from the caller's access token) pays only that user's orders.
 */
export function createTokenizeCard(deps: { db: Db; tokens: TokenStore; clock: Clock }) {
  return async (
    input: CardInput,
    userId: string | undefined,
  ): Promise<{ token: string; card: CardFacts }> => {
    const checked = checkCard(input, deps.clock())
    if ('problems' in checked) throw PaymentsErrors.invalidCard(checked.problems)
    const token = `tok_${randomBytes(18).toString('base64url')}`
    await deps.db.tx((tx) => deps.tokens.insert(tx, token, checked.card, userId))
    return { token, card: checked.card }
  }
}
