import { WireType } from '@bufbuild/protobuf/wire'
import { type Attributes, type AttributeValue, int64Value, intern, toBase64 } from './telemetry.js'

// The protobuf wire format, read field by field (protobuf.dev/programming-guides/encoding): every message is
// a run of (tag, value) pairs; a decoder reads the fields it knows and skips the others by their wire type,
// so a newer sender's fields pass through unharmed.

/** Why bytes are not the message they should be, with the path of fields that led there. */
export class WireError extends Error {
  readonly path: string[] = []
  at(field: string): this {
    this.path.unshift(field)
    return this
  }
  get reason(): string {
    return this.path.length > 0 ? `${this.path.join('.')}: ${this.message}` : this.message
  }
}

/**
 * A reader of the wire format over one body. It is the console's hottest code (every span of every service
 * passes through it), so it makes no garbage of its own: a tag is one number, ids become hex and strings
 * text straight from the body's bytes, 64-bit times come as two 32-bit halves, and only a caller that asks
 * for a subarray or a bigint gets one.
 */
export class WireReader {
  pos = 0
  readonly len: number
  private readonly buf: Buffer

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.len = bytes.byteLength
  }

  private need(n: number): number {
    const at = this.pos
    if (at + n > this.len) throw new WireError('premature end of data')
    this.pos = at + n
    return at
  }

  /** A varint of up to 32 significant bits (longer ones, as negative int32s are sent, keep their low 32). */
  uint32(): number {
    const buf = this.buf
    let value = 0
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= this.len) throw new WireError('premature end of data')
      const b = buf[this.pos++]!
      if (shift < 32) value |= (b & 0x7f) << shift
      if (b < 0x80) return value >>> 0
    }
    throw new WireError('varint longer than 10 bytes')
  }

  /** A field's tag: (field number << 3) | wire type. */
  tag(): number {
    const tag = this.uint32()
    if (tag >>> 3 === 0) throw new WireError('illegal field number 0')
    return tag
  }

  int32(): number {
    return this.uint32() | 0
  }

  bool(): boolean {
    return this.uint32() !== 0
  }

  /** A varint as a signed 64-bit integer: a number when exact, as most are, else a bigint. */
  int64(): number | bigint {
    const start = this.pos
    const buf = this.buf
    let value = 0
    let scale = 1
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.len) throw new WireError('premature end of data')
      const b = buf[this.pos++]!
      if (b < 0x80 && i < 7) return value + b * scale
      if (b < 0x80) return this.bigVarint(start)
      value += (b & 0x7f) * scale
      scale *= 128
    }
    throw new WireError('varint longer than 10 bytes')
  }

  private bigVarint(start: number): bigint {
    let value = 0n
    let shift = 0n
    for (let at = start; at < this.pos; at++, shift += 7n) value |= BigInt(this.buf[at]! & 0x7f) << shift
    return BigInt.asIntN(64, value)
  }

  /** Steps over a fixed64 and answers where it is, for `u64Text`, `u64Thousandths` and `u64Difference`. */
  fixed64At(): number {
    return this.need(8)
  }

  /** The unsigned fixed64 at `at`, exactly, in decimal. */
  u64Text(at: number): string {
    return this.buf.readBigUInt64LE(at).toString()
  }

  /** The unsigned fixed64 at `at` divided by 1000, rounded down: exact until 2255 as nanoseconds go. */
  u64Thousandths(at: number): number {
    // high·2^32 = 1000·(high·4294967) + high·296
    const high = this.buf.readUInt32LE(at + 4)
    return high * 4_294_967 + Math.floor((high * 296 + this.buf.readUInt32LE(at)) / 1000)
  }

  /** The fixed64 at `to` less the one at `from`: exact when the difference is below 2^53 (104 days in ns). */
  u64Difference(from: number, to: number): number {
    const high = this.buf.readUInt32LE(to + 4) - this.buf.readUInt32LE(from + 4)
    return high * 4_294_967_296 + (this.buf.readUInt32LE(to) - this.buf.readUInt32LE(from))
  }

  fixed64(): bigint {
    return this.buf.readBigUInt64LE(this.need(8))
  }

  sfixed64(): bigint {
    return this.buf.readBigInt64LE(this.need(8))
  }

  fixed32(): number {
    return this.buf.readUInt32LE(this.need(4))
  }

  double(): number {
    return this.buf.readDoubleLE(this.need(8))
  }

  /** Where a length-delimited value starts; `pos` is then past it. */
  delimited(): number {
    const length = this.uint32()
    return this.need(length)
  }

  string(): string {
    const start = this.delimited()
    return this.buf.toString('utf8', start, this.pos)
  }

  bytes(): Uint8Array {
    const start = this.delimited()
    return this.buf.subarray(start, this.pos)
  }

  /** The body's bytes from `start` to `end` as UTF-8 text. */
  text(start: number, end: number): string {
    return this.buf.toString('utf8', start, end)
  }

  /** Whether the body's bytes from `start` to `end` are `expected`'s. */
  equals(start: number, end: number, expected: Uint8Array): boolean {
    if (end - start !== expected.length) return false
    for (let i = 0; i < expected.length; i++) if (this.buf[start + i] !== expected[i]) return false
    return true
  }

  /** The body's bytes from `start` to `end`, not copied. */
  view(start: number, end: number): Buffer {
    return this.buf.subarray(start, end)
  }

  /** A length-delimited id of `length` bytes as lowercase hex; empty when `optional` and empty. */
  hexId(length: number, name: string, optional = false): string | null {
    const start = this.delimited()
    const got = this.pos - start
    if (got === 0 && optional) return null
    if (got !== length) throw new WireError(`expected ${length} bytes, got ${got}`).at(name)
    let zero = true
    for (let at = start; at < this.pos && zero; at++) zero = this.buf[at] === 0
    if (zero) throw new WireError('must not be all zeroes').at(name)
    return this.buf.toString('hex', start, this.pos)
  }

  skip(type: WireType, field: number): void {
    switch (type) {
      case WireType.Varint:
        this.int64()
        return
      case WireType.Bit64:
        this.need(8)
        return
      case WireType.LengthDelimited:
        this.delimited()
        return
      case WireType.Bit32:
        this.need(4)
        return
      case WireType.StartGroup:
        for (;;) {
          const tag = this.tag()
          const inner = tag & 7
          if (inner === WireType.EndGroup) {
            if (tag >>> 3 !== field) throw new WireError('invalid end group tag')
            return
          }
          this.skip(inner, tag >>> 3)
        }
      default:
        throw new WireError(`cannot skip wire type ${type}`)
    }
  }
}

// nesting of attribute values (arrays, key-value lists) beyond this is refused rather than recursed into
const MAX_DEPTH = 32

const WIRE_NAMES: Record<number, string> = {
  [WireType.Varint]: 'varint',
  [WireType.Bit64]: '64-bit',
  [WireType.LengthDelimited]: 'length-delimited',
  [WireType.StartGroup]: 'group',
  [WireType.EndGroup]: 'end group',
  [WireType.Bit32]: '32-bit',
}

export function expectType(got: WireType, want: WireType) {
  if (got !== want) throw new WireError(`wire type ${WIRE_NAMES[got]}, expected ${WIRE_NAMES[want]}`)
}

/** Reads the fields of a message ending at `end`; `visit` reads the ones it knows and answers true. */
export function eachField(r: WireReader, end: number, visit: (field: number, type: WireType) => boolean) {
  while (r.pos < end) {
    const tag = r.tag()
    const field = tag >>> 3
    const type = (tag & 7) as WireType
    if (type === WireType.EndGroup) throw new WireError(`unexpected end of group (field ${field})`)
    if (!visit(field, type)) r.skip(type, field)
    // a varint read past the end does not throw by itself
    if (r.pos > end) throw new WireError(`field ${field} runs past the end of its message`)
  }
}

/** Decodes a whole body as one message; any failure of the reader becomes a WireError. */
export function decodeBody<T>(bytes: Uint8Array, decode: (r: WireReader, end: number) => T): T {
  const r = new WireReader(bytes)
  try {
    return decode(r, r.len)
  } catch (err) {
    throw err instanceof WireError ? err : new WireError((err as Error).message)
  }
}

/** Enters a length-delimited sub-message: answers where it ends. */
export function enter(r: WireReader, type: WireType): number {
  expectType(type, WireType.LengthDelimited)
  const length = r.uint32()
  const end = r.pos + length
  if (end > r.len) throw new WireError(`length ${length} runs past the end of the body`)
  return end
}

/** Leaves a sub-message entered at `enter`: it must end where its length said. */
export function leave(r: WireReader, end: number): void {
  if (r.pos !== end) throw new WireError('the message does not end where its length says')
}

/** The next field's tag within a message ending at `end`, checked as eachField checks it. */
export function nextTag(r: WireReader): number {
  const tag = r.tag()
  if ((tag & 7) === WireType.EndGroup) throw new WireError(`unexpected end of group (field ${tag >>> 3})`)
  return tag
}

/** After a field: it must not have run past its message's end. */
export function within(r: WireReader, end: number, tag: number): void {
  if (r.pos > end) throw new WireError(`field ${tag >>> 3} runs past the end of its message`)
}

/** Adds the name of the field a failure happened in to its path (any failure becomes a WireError). */
export const failedIn = (err: unknown, name: string): WireError =>
  (err instanceof WireError ? err : new WireError((err as Error).message)).at(name)

/** A length-delimited sub-message, decoded with `decode`; failures inside name `name` in their path. */
export function nested<T>(
  r: WireReader,
  type: WireType,
  name: string,
  decode: (r: WireReader, end: number) => T,
): T {
  try {
    const end = enter(r, type)
    const value = decode(r, end)
    leave(r, end)
    return value
  } catch (err) {
    throw failedIn(err, name)
  }
}

/** The value of a scalar field, its wire type checked. */
export const read = {
  string(r: WireReader, type: WireType): string {
    expectType(type, WireType.LengthDelimited)
    return r.string()
  },
  bytes(r: WireReader, type: WireType): Uint8Array {
    expectType(type, WireType.LengthDelimited)
    return r.bytes()
  },
  varint(r: WireReader, type: WireType): number {
    expectType(type, WireType.Varint)
    return r.int32()
  },
  bool(r: WireReader, type: WireType): boolean {
    expectType(type, WireType.Varint)
    return r.bool()
  },
  int64(r: WireReader, type: WireType): number | bigint {
    expectType(type, WireType.Varint)
    return r.int64()
  },
  fixed64(r: WireReader, type: WireType): bigint {
    expectType(type, WireType.Bit64)
    return r.fixed64()
  },
  sfixed64(r: WireReader, type: WireType): bigint {
    expectType(type, WireType.Bit64)
    return r.sfixed64()
  },
  fixed32(r: WireReader, type: WireType): number {
    expectType(type, WireType.Bit32)
    return r.fixed32()
  },
  double(r: WireReader, type: WireType): number {
    expectType(type, WireType.Bit64)
    return r.double()
  },
}

/** AnyValue{1 string, 2 bool, 3 int64, 4 double, 5 ArrayValue, 6 KeyValueList, 7 bytes}; unset is null. */
export function anyValue(r: WireReader, end: number, depth = 0): AttributeValue {
  if (depth > MAX_DEPTH) throw new WireError(`values nested deeper than ${MAX_DEPTH}`)
  let value: AttributeValue = null
  // a loop, not eachField: every attribute of every span comes through here
  while (r.pos < end) {
    const tag = nextTag(r)
    const type = (tag & 7) as WireType
    switch (tag >>> 3) {
      case 1:
        value = intern(read.string(r, type))
        break
      case 2:
        value = read.bool(r, type)
        break
      case 3:
        value = int64Value(read.int64(r, type))
        break
      case 4:
        value = read.double(r, type)
        break
      case 5:
        value = nested(r, type, 'array_value', (r, end) => arrayValue(r, end, depth + 1))
        break
      case 6:
        value = nested(r, type, 'kvlist_value', (r, end) => keyValueList(r, end, depth + 1))
        break
      case 7:
        value = toBase64(read.bytes(r, type))
        break
      default:
        r.skip(type, tag >>> 3)
    }
    within(r, end, tag)
  }
  return value
}

/** ArrayValue{1 repeated AnyValue}. */
function arrayValue(r: WireReader, end: number, depth: number): AttributeValue[] {
  const values: AttributeValue[] = []
  eachField(r, end, (field, type) => {
    if (field !== 1) return false
    values.push(nested(r, type, 'values', (r, end) => anyValue(r, end, depth + 1)))
    return true
  })
  return values
}

/** KeyValueList{1 repeated KeyValue}, as an object. */
function keyValueList(r: WireReader, end: number, depth: number): Attributes {
  const out: Attributes = {}
  eachField(r, end, (field, type) => {
    if (field !== 1) return false
    addKeyValue(out, r, type, depth + 1)
    return true
  })
  return out
}

/**
 * AnyValue checked as anyValue reads it, the same failures with the same reasons, but nothing made of it: what
 * the receiver does with the attributes of a span it keeps as bytes (it reads them whole if the span is asked for).
 */
function checkAnyValue(r: WireReader, end: number, depth: number): void {
  if (depth > MAX_DEPTH) throw new WireError(`values nested deeper than ${MAX_DEPTH}`)
  while (r.pos < end) {
    const tag = nextTag(r)
    const type = (tag & 7) as WireType
    switch (tag >>> 3) {
      case 1:
      case 7:
        expectType(type, WireType.LengthDelimited)
        r.delimited()
        break
      case 2:
      case 3:
        expectType(type, WireType.Varint)
        r.int64()
        break
      case 4:
        expectType(type, WireType.Bit64)
        r.double()
        break
      case 5:
        nested(r, type, 'array_value', (r, end) =>
          eachField(r, end, (field, type) => {
            if (field !== 1) return false
            nested(r, type, 'values', (r, end) => checkAnyValue(r, end, depth + 2))
            return true
          }),
        )
        break
      case 6:
        nested(r, type, 'kvlist_value', (r, end) =>
          eachField(r, end, (field, type) => {
            if (field !== 1) return false
            walkKeyValue(r, type, depth + 2)
            return true
          }),
        )
        break
      default:
        r.skip(type, tag >>> 3)
    }
    within(r, end, tag)
  }
}

// where the last KeyValue walked has its key and its value (-1: it had none); read right after the walk
let keyAt = -1
let keyEnd = -1
let valueAt = -1
let valueEnd = -1

/** KeyValue{1 key, 2 AnyValue}: checked whole, with the reasons a failure gives; sets where its parts are. */
function walkKeyValue(r: WireReader, type: WireType, depth: number): void {
  let key = -1
  let keyStop = -1
  let value = -1
  let valueStop = -1
  try {
    const end = enter(r, type)
    while (r.pos < end) {
      const tag = nextTag(r)
      const fieldType = (tag & 7) as WireType
      if (tag >>> 3 === 1) {
        expectType(fieldType, WireType.LengthDelimited)
        key = r.delimited()
        keyStop = r.pos
      } else if (tag >>> 3 === 2) {
        try {
          valueStop = enter(r, fieldType)
          value = r.pos
          checkAnyValue(r, valueStop, depth)
          leave(r, valueStop)
        } catch (err) {
          throw failedIn(err, 'value')
        }
      } else r.skip(fieldType, tag >>> 3)
      within(r, end, tag)
    }
    leave(r, end)
  } catch (err) {
    throw failedIn(err, 'attributes')
  }
  // set last: the check of a value walks the key-value lists inside it
  keyAt = key
  keyEnd = keyStop
  valueAt = value
  valueEnd = valueStop
}

/** The value of the KeyValue just walked, read (it was checked: this cannot fail). */
function walkedValue(r: WireReader, depth: number): AttributeValue {
  if (valueAt < 0) return null
  const after = r.pos
  r.pos = valueAt
  const value = anyValue(r, valueEnd, depth)
  r.pos = after
  return value
}

/** KeyValue{1 key, 2 AnyValue}, added to `into`. */
export function addKeyValue(into: Attributes, r: WireReader, type: WireType, depth = 0): void {
  walkKeyValue(r, type, depth)
  const key = keyAt < 0 ? '' : intern(r.text(keyAt, keyEnd))
  into[key] = walkedValue(r, depth)
}

/**
 * KeyValue{1 key, 2 AnyValue} checked as addKeyValue reads it, but its value read only when its key is
 * `wanted` (as UTF-8 bytes); undefined for any other key.
 */
export function checkKeyValue(
  r: WireReader,
  type: WireType,
  depth: number,
  wanted: Uint8Array,
): AttributeValue | undefined {
  walkKeyValue(r, type, depth)
  if (keyAt < 0 || !r.equals(keyAt, keyEnd, wanted)) return undefined
  return walkedValue(r, depth)
}

/** Resource{1 repeated KeyValue attributes}: its attributes. */
export function resource(r: WireReader, end: number): Attributes {
  const attributes: Attributes = {}
  eachField(r, end, (field, type) => {
    if (field !== 1) return false
    addKeyValue(attributes, r, type)
    return true
  })
  return attributes
}

/** InstrumentationScope{1 name, 2 version, …}: its name. */
export function scopeName(r: WireReader, end: number): string {
  let name = ''
  eachField(r, end, (field, type) => {
    if (field !== 1) return false
    name = intern(read.string(r, type))
    return true
  })
  return name
}
