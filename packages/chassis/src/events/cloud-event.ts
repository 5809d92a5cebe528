import { randomUUID } from 'node:crypto'

export const PROTOBUF_CONTENT_TYPE = 'application/protobuf'

/** A CloudEvents 1.0 event whose data is a protobuf message, as it travels on the bus. */
export interface CloudEvent {
  specversion: '1.0'
  id: string
  /** The service that emitted it, as a URI reference: `/microshop/catalog`. */
  source: string
  /** `<service>.<EventName>.v<N>`, e.g. `catalog.ProductUpdated.v1`. */
  type: string
  /** The aggregate the event is about; the bus keeps the events of one subject in order. */
  subject: string
  time: string
  datacontenttype: string
  data: Uint8Array
  /** W3C trace context of the change that raised the event, when there was one. */
  traceparent?: string
  /** Attributes this version does not know: kept and passed on, never an error. */
  extensions: Record<string, string>
}

/** An event as a service raises it; the outbox (or the publisher) completes the envelope. */
export interface NewEvent {
  type: string
  subject: string
  data: Uint8Array
  id?: string
  time?: string
  traceparent?: string
  extensions?: Record<string, string>
}

/** A protobuf message codec as ts-proto generates it. */
export interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array }
  decode(input: Uint8Array): T
}

/** One event type of the contracts: its name and its payload's codec. */
export interface EventType<T> {
  readonly name: string
  /** A new event of this type about the aggregate `subject`. */
  create(subject: string, data: T, opts?: Pick<NewEvent, 'id' | 'time' | 'traceparent'>): NewEvent
  /** The payload of a delivered event; fields this version does not know are skipped. */
  decode(event: Pick<CloudEvent, 'type' | 'data'>): T
}

const TYPE_NAME = /^[a-z][a-z0-9]*\.[A-Z][A-Za-z0-9]*\.v[1-9][0-9]*$/
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/
const KNOWN_ATTRIBUTES = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
  'data',
  'traceparent',
])
export const MAX_SUBJECT_LENGTH = 200

export const isEventTypeName = (name: string) => TYPE_NAME.test(name)

/** Declares an event type of the contracts: `defineEvent('catalog.PriceChanged.v1', PriceChanged)`. */
export function defineEvent<T>(name: string, codec: MessageCodec<T>): EventType<T> {
  if (!isEventTypeName(name)) throw new Error(`event type ${name} is not named <service>.<EventName>.v<N>`)
  return {
    name,
    create: (subject, data, opts = {}) => ({
      type: name,
      subject,
      data: codec.encode(data).finish(),
      ...opts,
    }),
    decode(event) {
      if (event.type !== name) throw new Error(`cannot decode a ${event.type} as ${name}`)
      return codec.decode(event.data)
    },
  }
}

/** The CloudEvents source of a service's events: `/microshop/catalog`. */
export const eventSource = (service: string) => `/microshop/${service}`

/** The full envelope of a new event, with a fresh id and the current time unless given. */
export function toCloudEvent(source: string, event: NewEvent): CloudEvent {
  if (!isEventTypeName(event.type))
    throw new Error(`event type ${event.type} is not named <service>.<EventName>.v<N>`)
  if (event.subject.length === 0 || event.subject.length > MAX_SUBJECT_LENGTH)
    throw new Error(`event subject must have 1 to ${MAX_SUBJECT_LENGTH} characters`)
  const extensions: Record<string, string> = {}
  for (const [name, value] of Object.entries(event.extensions ?? {})) {
    if (!EXTENSION_NAME.test(name) || KNOWN_ATTRIBUTES.has(name))
      throw new Error(`${name} is not a valid CloudEvents extension attribute name`)
    extensions[name] = value
  }
  return {
    specversion: '1.0',
    id: event.id ?? randomUUID(),
    source,
    type: event.type,
    subject: event.subject,
    time: event.time ?? new Date().toISOString(),
    datacontenttype: PROTOBUF_CONTENT_TYPE,
    data: event.data,
    ...(event.traceparent ? { traceparent: event.traceparent } : {}),
    extensions,
  }
}

/** Splits attributes read off the wire into the known ones and the extensions, keeping both. */
export function extensionsOf(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => !KNOWN_ATTRIBUTES.has(name)))
}

/** Events of one subject land in one partition: the unit of order and of work sharing in a group. */
export function partitionOf(subject: string, partitions: number): number {
  // FNV-1a: stable across processes, languages and versions, unlike a runtime's string hash
  let hash = 0x811c9dc5
  for (const byte of Buffer.from(subject, 'utf8')) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % partitions
}

export const asBuffer = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength)
