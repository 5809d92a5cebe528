import type { Draft, Money, Notice } from './notice.js'

/** Amounts as people read them: `$12.34` for dollars, `12.34 EUR` otherwise. */
export function formatMoney(m: Money): string {
  const sign = m.amount < 0 ? '-' : ''
  const abs = Math.abs(m.amount)
  const value = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
  return m.currency === 'USD' ? `${sign}$${value}` : `${sign}${value} ${m.currency}`
}

const CANCEL_REASONS: Record<string, string> = {
  payment_failed: 'the payment did not go through',
  reservation_expired: 'we could not hold the items long enough for the payment to complete',
  customer_cancelled: 'you asked us to cancel it',
}

const PAYMENT_FAILURES: Record<string, string> = {
  card_declined: 'your card was declined',
  fraud_blocked: 'the payment was blocked by our fraud checks',
  provider_error: 'the payment provider could not be reached',
  invalid_payment_method: 'the payment method is not valid',
}

const SIGNATURE = '\n\n— microshop'

const orderLink = (shopUrl: string, orderId: string) =>
  `${shopUrl.replace(/\/$/, '')}/orders/${encodeURIComponent(orderId)}`

const email = (to: string, subject: string, lines: string[]): Draft => ({
  channel: 'email',
  to,
  subject,
  body: lines.join('\n') + SIGNATURE,
})

/** The messages a notice makes: an email each, and an SMS too when an order ships. Pure: text in, text out. */
export function render(notice: Notice, shop: { url: string }): Draft[] {
  switch (notice.kind) {
    case 'user_registered':
      return [
        email(notice.email, 'Welcome to microshop', [
          `Hello ${notice.name || 'there'},`,
          '',
          `Your account ${notice.email} is ready. Happy shopping: ${shop.url}`,
        ]),
      ]
    case 'duplicate_sign_up':
      return [
        email(notice.email, 'Someone tried to sign up with your email address', [
          `Hello ${notice.name || 'there'},`,
          '',
          `At ${notice.attemptedAt} someone tried to create a microshop account with ${notice.email}, which is`,
          'already yours. Nothing changed: no account was made and your password still works.',
          '',
          'If it was you, sign in instead; if not, you need not do anything.',
          `Sign in here: ${shop.url}`,
        ]),
      ]
    case 'order_confirmed': {
      const items = notice.lines.map((l) => `  ${l.quantity} × ${l.name}  ${formatMoney(l.lineTotal)}`)
      const ship = notice.shipTo
        ? [
            '',
            'Shipping to:',
            `  ${notice.shipTo.name}`,
            `  ${notice.shipTo.line1}`,
            `  ${[notice.shipTo.postalCode, notice.shipTo.city].filter(Boolean).join(' ')}, ${notice.shipTo.country}`,
          ]
        : []
      return [
        email(notice.email, `Order ${notice.orderId} confirmed`, [
          'Thank you for your order: the payment went through and it is being prepared.',
          '',
          `Order: ${notice.orderId}`,
          ...items,
          `Total: ${formatMoney(notice.total)}`,
          ...ship,
          '',
          `Follow it here: ${orderLink(shop.url, notice.orderId)}`,
        ]),
      ]
    }
    case 'order_cancelled':
      return [
        email(notice.email, `Order ${notice.orderId} cancelled`, [
          `Your order ${notice.orderId} was cancelled: ${CANCEL_REASONS[notice.reason] ?? (notice.reason || 'no reason was given')}.`,
          'Any amount charged is refunded to your card.',
          '',
          `Details: ${orderLink(shop.url, notice.orderId)}`,
        ]),
      ]
    case 'payment_failed':
      return [
        email(notice.email, `Payment failed for order ${notice.orderId}`, [
          `We could not take the payment for order ${notice.orderId}: ${PAYMENT_FAILURES[notice.code] ?? (notice.reason || 'the payment failed')}.`,
          'Nothing was charged. You can place the order again with another card.',
        ]),
      ]
    case 'order_shipped':
      return [
        email(notice.email, `Order ${notice.orderId} shipped`, [
          `Your order ${notice.orderId} is on its way with ${notice.carrier}.`,
          `Tracking number: ${notice.trackingNumber}`,
          '',
          `Follow it here: ${orderLink(shop.url, notice.orderId)}`,
        ]),
        {
          channel: 'sms',
          to: notice.phone,
          subject: '',
          body: `microshop: order ${notice.orderId} shipped with ${notice.carrier}, tracking ${notice.trackingNumber}`,
        },
      ]
    case 'order_delivered':
      return [
        email(notice.email, `Order ${notice.orderId} delivered`, [
          `Your order ${notice.orderId} was delivered (tracking number ${notice.trackingNumber}).`,
          'We hope you enjoy it.',
        ]),
      ]
  }
}
