import { events } from '@microshop/contracts/events'
import { describe, expect, it } from 'vitest'
import { testTls } from '../../../../test-support/tls.js'
import { eventOf } from '../../src/index.js'
import {
  type CloudEvent,
  createEventSigner,
  createEventVerifier,
  eventSource,
  toCloudEvent,
  toNewEvent,
} from '../../src/internal.js'

const paymentSucceeded = (): CloudEvent =>
  toCloudEvent(eventSource('payments'), {
    ...toNewEvent(
      eventOf(events.PaymentSucceeded, {
        orderId: 'o-1',
        paymentId: 'p-1',
        amount: { amount: 100, currency: 'USD' },
      }),
    ),
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    extensions: { partitionkey: 'o-1', other: 'x' },
  })

describe('event signatures', () => {
  it('when any attribute, extension or byte of the data changes after signing, then the signature no longer holds; the order of the extensions does not matter', async () => {
    const tls = await testTls('payments')
    const verify = createEventVerifier(tls)
    const signed = createEventSigner(tls)(paymentSucceeded())
    // the control: the event as signed verifies, its extensions in another order too
    expect(verify(signed, 'payments')).toBeUndefined()
    const reordered = Object.fromEntries(Object.entries(signed.extensions).reverse())
    expect(verify({ ...signed, extensions: reordered }, 'payments')).toBeUndefined()
    const altered: Array<[string, CloudEvent]> = [
      ['id', { ...signed, id: 'another' }],
      ['source', { ...signed, source: '/microshop/catalog' }],
      ['type', { ...signed, type: events.PaymentFailed.type }],
      ['subject', { ...signed, subject: 'o-2' }],
      ['time', { ...signed, time: new Date(0).toISOString() }],
      ['traceparent', { ...signed, traceparent: undefined }],
      ['an extension', { ...signed, extensions: { ...signed.extensions, other: 'y' } }],
      ['a new extension', { ...signed, extensions: { ...signed.extensions, added: 'z' } }],
      ['the data', { ...signed, data: Uint8Array.from(signed.data, (b, i) => (i === 0 ? b ^ 1 : b)) }],
    ]
    for (const [what, event] of altered)
      expect(verify(event, 'payments'), `${what} changed`).toBe('signature_invalid')
  })

  it("when the signer's certificate is outside its validity period, then the event is refused, even once the certificate was cached", async () => {
    const tls = await testTls('payments')
    let now = Date.now()
    const verify = createEventVerifier(tls, () => now)
    const signed = createEventSigner(tls)(paymentSucceeded())
    expect(verify(signed, 'payments')).toBeUndefined()
    now += 3 * 365 * 86_400_000
    expect(verify(signed, 'payments')).toBe('signer_untrusted')
  })
})
