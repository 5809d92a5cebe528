export type PaymentStatus = 'PENDING' | 'CAPTURED' | 'FAILED' | 'REFUNDED'

/** Why a payment failed; the first five travel in PaymentFailed.code. */
export type FailureCode =
  | 'card_declined'
  | 'fraud_blocked'
  | 'fraud_unavailable'
  | 'provider_error'
  | 'invalid_payment_method'
  | 'invalid_amount'
  /** The order was cancelled before the charge: nothing was taken, and no event is due (the order is over). */
  | 'order_cancelled'

export type FraudSource = 'fraud' | 'fallback'

export type ProviderOutcome = 'captured' | 'declined'

export interface Payment {
  id: string
  orderId: string
  userId: string
  email: string
  amount: number
  currency: string
  cardToken: string
  shippingCountry: string
  method: string
  status: PaymentStatus
  fraudScore: number | undefined
  fraudDecision: string | undefined
  fraudSource: FraudSource | undefined
  providerOutcome: ProviderOutcome | undefined
  providerReference: string | undefined
  failureCode: string
  failureReason: string
  refundedAmount: number
  createdAt: string
  updatedAt: string
}
