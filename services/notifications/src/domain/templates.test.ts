import { describe, expect, it } from 'vitest'
import type { Notice } from './notice.js'
import { formatMoney, render } from './templates.js'

const shop = { url: 'http://shop.test/' }
const base = { orderId: 'ord-42', userId: 'u-1', email: 'ada@example.com' }

describe('formatMoney', () => {
  it('when the currency is USD, then it reads as dollars and cents', () => {
    expect(formatMoney({ amount: 123_456, currency: 'USD' })).toBe('$1234.56')
    expect(formatMoney({ amount: 5, currency: 'USD' })).toBe('$0.05')
    expect(formatMoney({ amount: -250, currency: 'EUR' })).toBe('-2.50 EUR')
  })
})

describe('render', () => {
  it('when a user registers, then a welcome email goes to their address', () => {
    const [mail, ...rest] = render(
      { kind: 'user_registered', userId: 'u-1', email: 'ada@example.com', name: 'Ada' },
      shop,
    )
    expect(rest).toEqual([])
    expect(mail).toMatchObject({ channel: 'email', to: 'ada@example.com', subject: 'Welcome to microshop' })
    expect(mail!.body).toContain('Hello Ada,')
    expect(mail!.body).toContain('http://shop.test/')
  })

  it('when someone signs up with a taken email, then its owner is told, by their own name, that nothing changed', () => {
    const [mail, ...rest] = render(
      {
        kind: 'duplicate_sign_up',
        userId: 'u-1',
        email: 'ada@example.com',
        name: 'Ada',
        attemptedAt: '2026-06-01T12:00:00.000Z',
      },
      shop,
    )
    expect(rest).toEqual([])
    expect(mail).toMatchObject({
      channel: 'email',
      to: 'ada@example.com',
      subject: 'Someone tried to sign up with your email address',
    })
    expect(mail!.body).toContain('Hello Ada,')
    expect(mail!.body).toContain('2026-06-01T12:00:00.000Z')
    expect(mail!.body).toContain('Nothing changed')
  })

  it('when an order is confirmed, then the email lists the lines, the total, the address and a link', () => {
    const notice: Notice = {
      kind: 'order_confirmed',
      ...base,
      lines: [
        { name: 'Kettle', quantity: 2, lineTotal: { amount: 5_998, currency: 'USD' } },
        { name: 'Mug', quantity: 1, lineTotal: { amount: 899, currency: 'USD' } },
      ],
      total: { amount: 6_897, currency: 'USD' },
      shipTo: { name: 'Ada L', line1: '1 Main St', city: 'Austin', postalCode: '78701', country: 'US' },
    }
    const [mail] = render(notice, shop)
    expect(mail!.subject).toBe('Order ord-42 confirmed')
    expect(mail!.body).toContain('2 × Kettle  $59.98')
    expect(mail!.body).toContain('1 × Mug  $8.99')
    expect(mail!.body).toContain('Total: $68.97')
    expect(mail!.body).toContain('78701 Austin, US')
    expect(mail!.body).toContain('http://shop.test/orders/ord-42')
  })

  it('when an order is cancelled, then the email says why in words', () => {
    const [mail] = render({ kind: 'order_cancelled', ...base, reason: 'reservation_expired' }, shop)
    expect(mail!.subject).toBe('Order ord-42 cancelled')
    expect(mail!.body).toContain('could not hold the items')
    const [unknown] = render({ kind: 'order_cancelled', ...base, reason: '' }, shop)
    expect(unknown!.body).toContain('no reason was given')
  })

  it('when a payment fails, then the email names the failure and says nothing was charged', () => {
    const [mail] = render(
      { kind: 'payment_failed', ...base, code: 'card_declined', reason: 'do_not_honor' },
      shop,
    )
    expect(mail!.subject).toBe('Payment failed for order ord-42')
    expect(mail!.body).toContain('your card was declined')
    expect(mail!.body).toContain('Nothing was charged')
  })

  it('when an order ships, then an email and an SMS carry the tracking number', () => {
    const drafts = render(
      {
        kind: 'order_shipped',
        ...base,
        trackingNumber: 'MS123',
        carrier: 'Microshop Ground',
        phone: '+15550100',
      },
      shop,
    )
    expect(drafts.map((d) => d.channel)).toEqual(['email', 'sms'])
    expect(drafts[0]).toMatchObject({ to: 'ada@example.com', subject: 'Order ord-42 shipped' })
    expect(drafts[0]!.body).toContain('Tracking number: MS123')
    expect(drafts[1]).toMatchObject({ to: '+15550100', subject: '' })
    expect(drafts[1]!.body).toContain('MS123')
  })

  it('when an order is delivered, then the email says so with the tracking number', () => {
    const [mail] = render({ kind: 'order_delivered', ...base, trackingNumber: 'MS123' }, shop)
    expect(mail!.subject).toBe('Order ord-42 delivered')
    expect(mail!.body).toContain('MS123')
  })
})
