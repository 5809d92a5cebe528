import type { Attributes, HrTime, Link, SpanContext } from '@opentelemetry/api'
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace'

// OTLP/protobuf (opentelemetry/proto/trace/v1/trace.proto) written as each span ends, into a batch of bytes:
// the span's objects die young instead of waiting for the batch in the queue (where they lived long enough
// to be promoted, and their collection cost more than the spans did), and the bytes are written once, not
// estimated and then written as the SDK's serializer does. The output is byte for byte what
// @opentelemetry/otlp-transformer's ProtobufTraceSerializer writes for the same spans (its test says so).

const LEN = 2
const VARINT = 0
const I64 = 1
const I32 = 5
const HAS_IS_REMOTE = 0x100
const IS_REMOTE = 0x200

const varintSize = (v: number) => (v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5)
const spanFlags = (c: SpanContext, remote: boolean | undefined) =>
  (c.traceFlags & 0xff) | HAS_IS_REMOTE | (remote ? IS_REMOTE : 0)

/** A growable protobuf writer whose nested messages reserve one length byte and move over when it is short. */
class Writer {
  buf = Buffer.allocUnsafe(16 * 1024)
  pos = 0

  private room(n: number) {
    if (this.pos + n <= this.buf.length) return
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n))
    this.buf.copy(grown, 0, 0, this.pos)
    this.buf = grown
  }

  varint(v: number) {
    this.room(10)
    const buf = this.buf
    if (v >= 0 && v <= 0xffffffff) {
      let u = v >>> 0
      while (u > 0x7f) {
        buf[this.pos++] = (u & 0x7f) | 0x80
        u >>>= 7
      }
      buf[this.pos++] = u
      return
    }
    // an int64 beyond 32 bits (negative ones as their two's complement in 10 bytes)
    let big = BigInt.asUintN(64, BigInt(v))
    while (big > 0x7fn) {
      buf[this.pos++] = Number(big & 0x7fn) | 0x80
      big >>= 7n
    }
    buf[this.pos++] = Number(big)
  }

  tag(field: number, wire: number) {
    this.varint((field << 3) | wire)
  }

  /** Begins a length-delimited field's content; `end` with what this returns. */
  begin(field: number): number {
    this.tag(field, LEN)
    this.room(1)
    return this.pos++
  }

  end(at: number) {
    const length = this.pos - at - 1
    const size = varintSize(length)
    if (size > 1) {
      this.room(size - 1)
      this.buf.copyWithin(at + size, at + 1, this.pos)
      this.pos += size - 1
    }
    let v = length
    let p = at
    while (v > 0x7f) {
      this.buf[p++] = (v & 0x7f) | 0x80
      v >>>= 7
    }
    this.buf[p] = v
  }

  string(field: number, s: string) {
    this.tag(field, LEN)
    // a UTF-16 unit is at most 3 bytes of UTF-8: short strings know their length byte before they are written
    if (s.length < 43) {
      this.room(1 + s.length * 3)
      const n = this.buf.write(s, this.pos + 1, 'utf8')
      this.buf[this.pos] = n
      this.pos += 1 + n
      return
    }
    const n = Buffer.byteLength(s)
    this.varint(n)
    this.room(n)
    this.pos += this.buf.write(s, this.pos, n, 'utf8')
  }

  hex(field: number, id: string) {
    const n = id.length >>> 1
    this.tag(field, LEN)
    this.room(1 + n)
    this.buf[this.pos++] = n
    this.pos += this.buf.write(id, this.pos, n, 'hex')
  }

  bytes(field: number, bytes: Uint8Array) {
    this.tag(field, LEN)
    this.varint(bytes.length)
    this.room(bytes.length)
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
  }

  /** Bytes already encoded (whole fields). */
  raw(bytes: Uint8Array) {
    this.room(bytes.length)
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
  }

  fixed32(field: number, v: number) {
    this.tag(field, I32)
    this.room(4)
    this.pos = this.buf.writeUInt32LE(v >>> 0, this.pos)
  }

  double(field: number, v: number) {
    this.tag(field, I64)
    this.room(8)
    this.pos = this.buf.writeDoubleLE(v, this.pos)
  }

  /** An HrTime as fixed64 nanoseconds, exactly: seconds × 10⁹ is split so no product passes 2⁵³. */
  time(field: number, [seconds, nanos]: HrTime) {
    this.tag(field, I64)
    this.room(8)
    // seconds × 10⁹ = seconds × 1953125 × 2⁹, and seconds × 1953125 < 2⁵³ for any date this side of 2²⁵
    const scaled = seconds * 1953125
    const high = Math.floor(scaled / 0x800000)
    const low = (scaled - high * 0x800000) * 512 + nanos
    const carry = Math.floor(low / 0x100000000)
    this.buf.writeUInt32LE(low - carry * 0x100000000, this.pos)
    this.buf.writeUInt32LE((high + carry) >>> 0, this.pos + 4)
    this.pos += 8
  }

  attributes(field: number, attributes: Attributes) {
    for (const key in attributes) {
      if (!Object.hasOwn(attributes, key)) continue
      const kv = this.begin(field)
      this.string(1, key)
      const value = this.begin(2)
      this.anyValue(attributes[key])
      this.end(value)
      this.end(kv)
    }
  }

  anyValue(value: unknown) {
    switch (typeof value) {
      case 'string':
        return this.string(1, value)
      case 'boolean':
        this.tag(2, VARINT)
        return this.varint(value ? 1 : 0)
      case 'number':
        if (Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63) {
          this.tag(3, VARINT)
          return this.varint(value)
        }
        return this.double(4, value)
    }
    if (value instanceof Uint8Array) return this.bytes(7, value)
    if (Array.isArray(value)) {
      const list = this.begin(5)
      for (const item of value) {
        const one = this.begin(1)
        this.anyValue(item)
        this.end(one)
      }
      return this.end(list)
    }
    if (typeof value === 'object' && value !== null) {
      const list = this.begin(6)
      this.attributes(1, value as Attributes)
      this.end(list)
    }
  }

  event(event: TimedEvent) {
    const at = this.begin(11)
    this.time(1, event.time)
    this.string(2, event.name)
    if (event.attributes) this.attributes(3, event.attributes)
    this.tag(4, VARINT)
    this.varint(event.droppedAttributesCount || 0)
    this.end(at)
  }

  link(link: Link & { droppedAttributesCount?: number }) {
    const at = this.begin(13)
    const c = link.context
    this.hex(1, c.traceId)
    this.hex(2, c.spanId)
    const state = c.traceState?.serialize()
    if (state) this.string(3, state)
    if (link.attributes) this.attributes(4, link.attributes)
    this.tag(5, VARINT)
    this.varint(link.droppedAttributesCount || 0)
    this.fixed32(6, spanFlags(c, c.isRemote))
    this.end(at)
  }

  /** ScopeSpans.spans (field 2): one Span message. */
  span(span: ReadableSpan) {
    const at = this.begin(2)
    const c = span.spanContext()
    const parent = span.parentSpanContext
    this.hex(1, c.traceId)
    this.hex(2, c.spanId)
    const state = c.traceState?.serialize()
    if (state) this.string(3, state)
    if (parent?.spanId) this.hex(4, parent.spanId)
    this.string(5, span.name)
    const kind = span.kind == null ? 0 : span.kind + 1
    if (kind !== 0) {
      this.tag(6, VARINT)
      this.varint(kind)
    }
    this.time(7, span.startTime)
    this.time(8, span.endTime)
    this.attributes(9, span.attributes)
    this.tag(10, VARINT)
    this.varint(span.droppedAttributesCount)
    for (const event of span.events) this.event(event)
    this.tag(12, VARINT)
    this.varint(span.droppedEventsCount)
    for (const link of span.links) this.link(link)
    this.tag(14, VARINT)
    this.varint(span.droppedLinksCount)
    const status = this.begin(15)
    if (span.status.message) this.string(2, span.status.message)
    this.tag(3, VARINT)
    this.varint(span.status.code)
    this.end(status)
    this.fixed32(16, spanFlags(c, parent?.isRemote))
    this.end(at)
  }
}

type Resource = ReadableSpan['resource']
type Scope = ReadableSpan['instrumentationScope']

/** The spans of one resource and scope written so far. */
interface Group {
  resource: Resource
  scope: Scope
  writer: Writer
}

/**
 * Finished spans as the bytes of one ExportTraceServiceRequest in the making: `add` writes a span as it
 * ends, `take` closes the request and begins the next.
 */
export class OtlpSpanBatch {
  private groups: Group[] = []
  /** Spans written since the last take. */
  count = 0
  /** Their bytes so far. */
  bytes = 0

  add(span: ReadableSpan): void {
    let group: Group | undefined
    for (const g of this.groups)
      if (g.resource === span.resource && g.scope === span.instrumentationScope) group = g
    if (!group) {
      group = { resource: span.resource, scope: span.instrumentationScope, writer: new Writer() }
      this.groups.push(group)
    }
    const before = group.writer.pos
    group.writer.span(span)
    this.bytes += group.writer.pos - before
    this.count++
  }

  /** The request holding every span added since the last take (undefined when there is none). */
  take(): Buffer | undefined {
    if (this.count === 0) return undefined
    const out = new Writer()
    // each resource once, its scopes in the order their first span came
    const resources = new Map<Resource, Group[]>()
    for (const g of this.groups) {
      if (g.writer.pos === 0) continue
      const list = resources.get(g.resource)
      if (list) list.push(g)
      else resources.set(g.resource, [g])
    }
    for (const [resource, groups] of resources) {
      const resourceSpans = out.begin(1)
      const r = out.begin(1)
      out.attributes(1, resource.attributes)
      out.tag(2, VARINT)
      out.varint(0)
      out.end(r)
      for (const g of groups) {
        const scopeSpans = out.begin(2)
        const s = out.begin(1)
        out.string(1, g.scope.name)
        if (g.scope.version) out.string(2, g.scope.version)
        const scope = g.scope as Scope & { attributes?: Attributes; droppedAttributesCount?: number }
        if (scope.attributes) out.attributes(3, scope.attributes)
        if (scope.droppedAttributesCount) {
          out.tag(4, VARINT)
          out.varint(scope.droppedAttributesCount)
        }
        out.end(s)
        const spans = g.writer
        out.raw(spans.buf.subarray(0, spans.pos))
        spans.pos = 0
        if (g.scope.schemaUrl) out.string(3, g.scope.schemaUrl)
        out.end(scopeSpans)
      }
      const schemaUrl = (resource as Resource & { schemaUrl?: string }).schemaUrl
      if (schemaUrl) out.string(3, schemaUrl)
      out.end(resourceSpans)
    }
    this.count = 0
    this.bytes = 0
    return out.buf.subarray(0, out.pos)
  }
}
