import { randomBytes } from 'node:crypto'
import { type CardFacts, type CardInput, checkCard } from '../domain/card.js'
import { PaymentsErrors } from '../domain/errors.js'
import type { TokenStore } from '../store/token-store.js'

export type TokenizeCard = ReturnType<typeof createTokenizeCard>

/** Checks a card and keeps what payments needs of it under a new token; the number goes no further. */
export function createTokenizeCard(deps: { tokens: TokenStore; clock: () => Date }) {
  return async (input: CardInput): Promise<{ token: string; card: CardFacts }> => {
    const checked = checkCard(input, deps.clock())
    if ('problems' in checked) throw PaymentsErrors.invalidCard(checked.problems)
    const token = `tok_${randomBytes(18).toString('base64url')}`
    await deps.tokens.insert(token, checked.card)
    return { token, card: checked.card }
  }
}
