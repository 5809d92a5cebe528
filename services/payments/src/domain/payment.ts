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

/** Who decided on the risk: fraud, the fallback rule when fraud could not answer, or payments' blocklist. */
export type FraudSource = 'fraud' | 'fallback' | 'blocklist'

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

/** What the rest of the system hears of a payment: one of these per settlement or refund. */
export type PaymentEvent =
  | { kind: 'PaymentSucceeded'; payment: Payment }
  | { kind: 'PaymentFailed'; payment: Payment; code: FailureCode; reason: string }
  | { kind: 'RefundIssued'; payment: Payment }
