import { describe, expect, it } from 'vitest'
import { type PaymentToScore, scoreRequestProblems } from './score-request.js'

const ok: PaymentToScore = {
  orderId: 'o-1',
  userId: 'u-1',
  amount: 100,
  currency: 'USD',
  cardBin: '424242',
  cardLast4: '4242',
  cardCountry: 'US',
  shippingCountry: 'US',
}

describe('score request', () => {
  it('when every field is well formed, then there is no problem', () => {
    expect(scoreRequestProblems(ok)).toEqual([])
    expect(scoreRequestProblems({ ...ok, cardBin: '', cardLast4: '', cardCountry: '' })).toEqual([])
  })

  it('when fields are missing or malformed, then each problem names its field', () => {
    const fields = scoreRequestProblems({
      ...ok,
      orderId: '',
      userId: '',
      amount: -1,
      cardBin: '4242',
      cardLast4: 'x',
      shippingCountry: 'usa',
    }).map((p) => p.field)
    expect(fields).toEqual([
      'order_id',
      'user_id',
      'amount.amount',
      'card_bin',
      'card_last4',
      'shipping_country',
    ])
  })
})
