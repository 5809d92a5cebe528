import { defineEvent, type EventBus, type NewEvent, toCloudEvent } from '../../../src/index.js'

/** The payload of the test events: JSON is enough, the bus never looks inside. */
export interface Tick {
  subject: string
  n: number
}

const json = {
  encode: (m: Tick) => ({ finish: () => new Uint8Array(Buffer.from(JSON.stringify(m))) }),
  decode: (b: Uint8Array) => JSON.parse(Buffer.from(b).toString('utf8')) as Tick,
}

export const Ticked = defineEvent('test.Ticked.v1', json)
export const Tocked = defineEvent('test.Tocked.v1', json)

/** n events per subject, interleaved across subjects: s0#1, s1#1, …, s0#2, … */
export function ticks(subjects: number, perSubject: number, type = Ticked): NewEvent[] {
  const events: NewEvent[] = []
  for (let n = 1; n <= perSubject; n++)
    for (let s = 0; s < subjects; s++) events.push(type.create(`s${s}`, { subject: `s${s}`, n }))
  return events
}

export const publish = (bus: EventBus, events: NewEvent[]) =>
  bus.publish(events.map((e) => toCloudEvent('/microshop/test', e)))
