import {
  type CloudEvent,
  defineEvent,
  type EventBus,
  type NewEvent,
  toCloudEvent,
} from '../../../src/internal.js'

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

export const asCloudEvent = (e: NewEvent) => toCloudEvent('/microshop/test', e)

/** s0, s1, …: the subjects `ticks` uses. */
export const subjectsOf = (count: number) => Array.from({ length: count }, (_, s) => `s${s}`)

/**
 * Event n of each subject, published after everything else: a subject's events are handled in order, so
 * once a group has handled these, it has handled (or given up on) every earlier event of those subjects.
 */
export const nextOf = (subjects: string[], n: number): CloudEvent[] =>
  subjects.map((subject) => asCloudEvent(Ticked.create(subject, { subject, n })))
