import { clampPageSize } from '@microshop/chassis/paging'
import { describe, expect, it } from 'vitest'
import { mailDomainOf, messageIdFor } from './message-id.js'
import { messageTokens } from './paging.js'
import { retryDelayMs } from './send-retry.js'

describe('messageIdFor', () => {
  it('when the same event is sent twice, then both mails carry the same Message-ID', () => {
    const id = 'b7d2c1a0-1111-4222-8333-944455556666'
    expect(messageIdFor(id, 'email', 'shop.test')).toBe(`<${id}.email@shop.test>`)
    expect(messageIdFor(id, 'email', 'shop.test')).toBe(messageIdFor(id, 'email', 'shop.test'))
  })

  it('when the event id has characters a Message-ID cannot hold, then they are replaced', () => {
    expect(messageIdFor('a b<c>@d', 'email', 'x.test')).toBe('<a_b_c__d.email@x.test>')
  })
})

describe('mailDomainOf', () => {
  it('when given a From address with or without a name, then it finds the domain', () => {
    expect(mailDomainOf('microshop <no-reply@microshop.local>')).toBe('microshop.local')
    expect(mailDomainOf('shop@mail.example.com')).toBe('mail.example.com')
    expect(mailDomainOf('nobody')).toBe('localhost')
  })
})

describe('retryDelayMs', () => {
  it('when sends keep failing, then the wait doubles up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 100, 500))).toEqual([100, 200, 400, 500])
    expect(retryDelayMs(1_000, 100, 60_000)).toBe(60_000)
  })
})

describe('paging', () => {
  it('when a token is one we issued, then it gives back the position; otherwise undefined', () => {
    expect(messageTokens.decode(messageTokens.encode(1234))).toEqual({ after: 1234 })
    // a token issued before the shared codec still reads the same
    expect(messageTokens.decode(`m1.${Buffer.from('1234').toString('base64url')}`)).toEqual({ after: 1234 })
    expect(messageTokens.decode('')).toEqual({ after: undefined })
    expect(messageTokens.decode('nope')).toBeUndefined()
    expect(messageTokens.decode('m1.!!!')).toBeUndefined()
    expect(clampPageSize(0, 100)).toBe(20)
    expect(clampPageSize(1_000, 100)).toBe(100)
  })
})
