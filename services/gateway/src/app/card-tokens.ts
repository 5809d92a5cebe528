import { AppError, isAppError, type ServiceClient } from '@microshop/chassis'
import type { PaymentsServiceService } from '@microshop/contracts/payments/v1/payments'

export interface CardInput {
  number: string
  expMonth: number
  expYear: number
  cvc: string
}

/** A card problem as the client sent it: `card.number`, whatever prefix payments gives the field. */
const asCardField = (field: string) => `card.${field.replace(/^(.*\.)?card\./, '')}`

/** Cards tokenised by payments for the caller (their token travels with the call, so the token is theirs). */
export function createCardTokens(payments: ServiceClient<typeof PaymentsServiceService>) {
  return {
    async tokenize(card: CardInput) {
      try {
        const { token, brand, last4 } = await payments.call('tokenizeCard', card)
        return { token, brand, last4 }
      } catch (err) {
        if (!isAppError(err) || err.kind !== 'invalid_argument') throw err
        const fields =
          err.fields.length > 0
            ? err.fields.map((f) => ({ field: asCardField(f.field), message: f.message }))
            : [{ field: 'card', message: err.message }]
        throw new AppError(err.kind, err.code, err.message, { fields, cause: err })
      }
    },
  }
}

export type CardTokens = ReturnType<typeof createCardTokens>
