export interface Money {
  amount: number
  currency: string
}

/** What happened that a customer is told about: one per notifying event. */
export type Notice =
  | { kind: 'user_registered'; userId: string; email: string; name: string }
  /** Someone tried to sign up with the email of this account. */
  | { kind: 'duplicate_sign_up'; userId: string; email: string; name: string; attemptedAt: string }
  | {
      kind: 'order_confirmed'
      orderId: string
      userId: string
      email: string
      lines: { name: string; quantity: number; lineTotal: Money }[]
      total: Money
      shipTo: { name: string; line1: string; city: string; postalCode: string; country: string } | undefined
    }
  | { kind: 'order_cancelled'; orderId: string; userId: string; email: string; reason: string }
  | { kind: 'payment_failed'; orderId: string; userId: string; email: string; code: string; reason: string }
  | {
      kind: 'order_shipped'
      orderId: string
      userId: string
      email: string
      trackingNumber: string
      carrier: string
      /** The phone of the order's shipping address, when the confirmation carried one. */
      phone: string
    }
  | { kind: 'order_delivered'; orderId: string; userId: string; email: string; trackingNumber: string }

export type Channel = 'email' | 'sms'

/** A message ready to be stored: who gets it, on which channel, with what words. */
export interface Draft {
  channel: Channel
  to: string
  subject: string
  body: string
}

/** The order a notice is about, if any. */
export const orderIdOf = (n: Notice) => ('orderId' in n ? n.orderId : '')
