import { headers, type MsgHdrs } from '@nats-io/transport-node'
import { type CloudEvent, extensionsOf } from '../cloud-event.js'

// CloudEvents NATS binding, binary content mode: attributes as `ce-` headers, the protobuf bytes as payload
const PREFIX = 'ce-'
const CONTENT_TYPE = 'content-type'
const TRACEPARENT = 'traceparent'

/** Header values cannot hold line breaks. */
export const headerValue = (value: string) => value.replace(/[\r\n]+/g, ' ')

export function toNatsHeaders(event: CloudEvent): MsgHdrs {
  const h = headers()
  h.set(`${PREFIX}specversion`, event.specversion)
  h.set(`${PREFIX}id`, headerValue(event.id))
  h.set(`${PREFIX}source`, headerValue(event.source))
  h.set(`${PREFIX}type`, event.type)
  h.set(`${PREFIX}subject`, headerValue(event.subject))
  h.set(`${PREFIX}time`, headerValue(event.time))
  h.set(CONTENT_TYPE, event.datacontenttype)
  if (event.traceparent) h.set(TRACEPARENT, headerValue(event.traceparent))
  for (const [name, value] of Object.entries(event.extensions)) h.set(`${PREFIX}${name}`, headerValue(value))
  return h
}

/** The event a message carries; attributes this version does not know become extensions. */
export function fromNatsMessage(h: MsgHdrs | undefined, data: Uint8Array): CloudEvent {
  const attributes: Record<string, string> = {}
  for (const key of h?.keys() ?? []) {
    const lower = key.toLowerCase()
    if (lower.startsWith(PREFIX)) attributes[lower.slice(PREFIX.length)] = h!.get(key)
  }
  const required = (name: string) => {
    const value = attributes[name]
    if (value === undefined) throw new Error(`message is not a CloudEvent: no ${PREFIX}${name} header`)
    return value
  }
  const traceparent = h?.get(TRACEPARENT) || attributes.traceparent
  return {
    specversion: '1.0',
    id: required('id'),
    source: required('source'),
    type: required('type'),
    subject: required('subject'),
    time: required('time'),
    datacontenttype: h?.get(CONTENT_TYPE) || 'application/protobuf',
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    ...(traceparent ? { traceparent } : {}),
    extensions: extensionsOf(attributes),
  }
}
