import type { Handlers } from '@microshop/chassis'
import {
  type Payment as PaymentMessage,
  PaymentStatus,
  type PaymentsServiceService,
} from '@microshop/contracts/payments/v1/payments'
import type { GetPayment } from '../app/get-payment.js'
import type { TokenizeCard } from '../app/tokenize-card.js'
import type { Payment, PaymentStatus as Status } from '../domain/payment.js'

const STATUSES: Record<Status, PaymentStatus> = {
  PENDING: PaymentStatus.PAYMENT_STATUS_PENDING,
  CAPTURED: PaymentStatus.PAYMENT_STATUS_CAPTURED,
  FAILED: PaymentStatus.PAYMENT_STATUS_FAILED,
  REFUNDED: PaymentStatus.PAYMENT_STATUS_REFUNDED,
}

// field by field: the card token, the user and the provider's reference stay here
const toMessage = (p: Payment): PaymentMessage => ({
  id: p.id,
  orderId: p.orderId,
  status: STATUSES[p.status],
  amount: { amount: p.amount, currency: p.currency },
  refunded: { amount: p.refundedAmount, currency: p.currency },
  method: p.method,
  failureCode: p.failureCode,
  failureReason: p.failureReason,
  fraudScore: p.fraudScore ?? 0,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
})

/** gRPC handlers: read the request, call the use case, shape the response. */
export function createPaymentsHandlers(deps: {
  tokenizeCard: TokenizeCard
  getPayment: GetPayment
}): Handlers<typeof PaymentsServiceService> {
  return {
    async tokenizeCard(req, ctx) {
      // with a user's access token (the user's own, or forwarded by orders), the token is theirs
      const caller = await ctx.caller()
      const { token, card } = await deps.tokenizeCard(
        { number: req.number, expMonth: req.expMonth, expYear: req.expYear, cvc: req.cvc },
        caller?.userId,
      )
      return { token, brand: card.brand, last4: card.last4 }
    },
    async getPayment(req, ctx) {
      const caller = await ctx.requireCaller()
      return { payment: toMessage(await deps.getPayment(req.orderId, caller)) }
    },
  }
}
