import { Writable } from 'node:stream'
import { createLogger } from '@microshop/chassis/internal'
import { describe, expect, it } from 'vitest'

/** A logger as every service gets it, whose lines land here. */
function capturedLogger() {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  const log = createLogger({ service: 'payments', instance: 'test', level: 'info', also: sink })
  return { log, text: () => lines.join('') }
}

describe('log redaction of card fields', () => {
  it('when a card or its CVC is logged at any of the first three levels, then the line keeps none of it', () => {
    const { log, text } = capturedLogger()
    const card = { number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '987' }
    log.info({ card }, 'top level')
    log.info({ req: { card, cardNumber: '4000000000000002' } }, 'one level down')
    log.info({ body: { payment: { card, cvc: '654' } } }, 'two levels down')
    const out = text()
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(5)
    for (const secret of ['4242424242424242', '4000000000000002', '987', '654', '2034'])
      expect(out).not.toContain(secret)
  })
})
