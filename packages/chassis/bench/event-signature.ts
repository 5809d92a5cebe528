// Not a benchmark: a measuring aid. The CPU one event's signature costs its producer and each consumer,
// in one process, no load: node --import ./packages/chassis/test/events/support/register-ts.mjs packages/chassis/bench/event-signature.ts
import { events } from '@microshop/contracts/events'
import { testTls } from '../../../test-support/tls.js'
import { eventOf } from '../src/index.js'
import {
  type CloudEvent,
  createEventSigner,
  createEventVerifier,
  eventSource,
  SIGNATURE_ATTRIBUTE,
  SIGNER_ATTRIBUTE,
  toCloudEvent,
  toNewEvent,
} from '../src/internal.js'

const N = 2_000
const tls = await testTls('payments')
const sign = createEventSigner(tls)
const verify = createEventVerifier(tls)
const event = toCloudEvent(
  eventSource('payments'),
  toNewEvent(
    eventOf(events.PaymentSucceeded, {
      orderId: 'o-1',
      paymentId: 'p-1',
      amount: { amount: 100, currency: 'USD' },
    }),
  ),
)
const microsPerEvent = (n: number, work: () => void) => {
  const before = process.cpuUsage()
  work()
  const used = process.cpuUsage(before)
  return ((used.user + used.system) / n).toFixed(1)
}

for (let i = 0; i < 200; i++) verify(sign(event), 'payments')
const signed: CloudEvent[] = []
const signing = microsPerEvent(N, () => {
  for (let i = 0; i < N; i++) signed.push(sign({ ...event, id: String(i) }))
})
const verifying = microsPerEvent(N, () => {
  for (const e of signed) if (verify(e, 'payments')) throw new Error('a genuine event did not verify')
})
const firstSight = microsPerEvent(200, () => {
  for (const e of signed.slice(0, 200)) createEventVerifier(tls)(e, 'payments')
})
const extensions = signed[0]!.extensions
console.log(`sign: ${signing} µs CPU per event`)
console.log(`verify, certificate cached: ${verifying} µs CPU per event and consumer group`)
console.log(`verify, certificate first seen (parse and chain check): ${firstSight} µs`)
console.log(
  `attributes added: ${extensions[SIGNATURE_ATTRIBUTE]!.length + extensions[SIGNER_ATTRIBUTE]!.length} bytes per event`,
)
