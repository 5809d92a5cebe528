import { BinaryReader, WireType } from '@bufbuild/protobuf/wire'
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

function expectType(got: WireType, want: WireType) {
  if (got !== want) throw new WireError(`wire type ${WIRE_NAMES[got]}, expected ${WIRE_NAMES[want]}`)
}

/** Reads the fields of a message ending at `end`; `visit` reads the ones it knows and answers true. */
export function eachField(r: BinaryReader, end: number, visit: (field: number, type: WireType) => boolean) {
  while (r.pos < end) {
    const [field, type] = r.tag()
    if (type === WireType.EndGroup) throw new WireError(`unexpected end of group (field ${field})`)
    if (!visit(field, type)) r.skip(type, field)
    // a varint read past the end does not throw by itself
    if (r.pos > end) throw new WireError(`field ${field} runs past the end of its message`)
  }
}

/** Decodes a whole body as one message; any failure of the reader becomes a WireError. */
export function decodeBody<T>(bytes: Uint8Array, decode: (r: BinaryReader, end: number) => T): T {
  const r = new BinaryReader(bytes)
  try {
    return decode(r, r.len)
  } catch (err) {
    throw err instanceof WireError ? err : new WireError((err as Error).message)
  }
}

/** A length-delimited sub-message, decoded with `decode`; failures inside name `name` in their path. */
export function nested<T>(
  r: BinaryReader,
  type: WireType,
  name: string,
  decode: (r: BinaryReader, end: number) => T,
): T {
  try {
    expectType(type, WireType.LengthDelimited)
    const length = r.uint32()
    const end = r.pos + length
    if (end > r.len) throw new WireError(`length ${length} runs past the end of the body`)
    const value = decode(r, end)
    if (r.pos !== end) throw new WireError('the message does not end where its length says')
    return value
  } catch (err) {
    throw (err instanceof WireError ? err : new WireError((err as Error).message)).at(name)
  }
}

/** The value of a scalar field, its wire type checked. */
export const read = {
  string(r: BinaryReader, type: WireType): string {
    expectType(type, WireType.LengthDelimited)
    return r.string()
  },
  bytes(r: BinaryReader, type: WireType): Uint8Array {
    expectType(type, WireType.LengthDelimited)
    return r.bytes()
  },
  varint(r: BinaryReader, type: WireType): number {
    expectType(type, WireType.Varint)
    return r.int32()
  },
  bool(r: BinaryReader, type: WireType): boolean {
    expectType(type, WireType.Varint)
    return r.bool()
  },
  int64(r: BinaryReader, type: WireType): bigint {
    expectType(type, WireType.Varint)
    return BigInt(r.int64())
  },
  fixed64(r: BinaryReader, type: WireType): bigint {
    expectType(type, WireType.Bit64)
    return BigInt(r.fixed64())
  },
  sfixed64(r: BinaryReader, type: WireType): bigint {
    expectType(type, WireType.Bit64)
    return BigInt(r.sfixed64())
  },
  fixed32(r: BinaryReader, type: WireType): number {
    expectType(type, WireType.Bit32)
    return r.fixed32()
  },
  double(r: BinaryReader, type: WireType): number {
    expectType(type, WireType.Bit64)
    return r.double()
  },
}

/** AnyValue{1 string, 2 bool, 3 int64, 4 double, 5 ArrayValue, 6 KeyValueList, 7 bytes}; unset is null. */
export function anyValue(r: BinaryReader, end: number, depth = 0): AttributeValue {
  if (depth > MAX_DEPTH) throw new WireError(`values nested deeper than ${MAX_DEPTH}`)
  let value: AttributeValue = null
  eachField(r, end, (field, type) => {
    switch (field) {
      case 1:
        value = intern(read.string(r, type))
        return true
      case 2:
        value = read.bool(r, type)
        return true
      case 3:
        value = int64Value(read.int64(r, type))
        return true
      case 4:
        value = read.double(r, type)
        return true
      case 5:
        value = nested(r, type, 'array_value', (r, end) => arrayValue(r, end, depth + 1))
        return true
      case 6:
        value = nested(r, type, 'kvlist_value', (r, end) => keyValueList(r, end, depth + 1))
        return true
      case 7:
        value = toBase64(read.bytes(r, type))
        return true
    }
    return false
  })
  return value
}

/** ArrayValue{1 repeated AnyValue}. */
function arrayValue(r: BinaryReader, end: number, depth: number): AttributeValue[] {
  const values: AttributeValue[] = []
  eachField(r, end, (field, type) => {
    if (field !== 1) return false
    values.push(nested(r, type, 'values', (r, end) => anyValue(r, end, depth + 1)))
    return true
  })
  return values
}

/** KeyValueList{1 repeated KeyValue}, as an object. */
function keyValueList(r: BinaryReader, end: number, depth: number): Attributes {
  const out: Attributes = {}
  eachField(r, end, (field, type) => {
    if (field !== 1) return false
    addKeyValue(out, r, type, depth + 1)
    return true
  })
  return out
}

/** KeyValue{1 key, 2 AnyValue}, added to `into`. */
export function addKeyValue(into: Attributes, r: BinaryReader, type: WireType, depth = 0): void {
  let key = ''
  let value: AttributeValue = null
  nested(r, type, 'attributes', (r, end) =>
    eachField(r, end, (field, type) => {
      if (field === 1) key = intern(read.string(r, type))
      else if (field === 2) value = nested(r, type, 'value', (r, end) => anyValue(r, end, depth))
      else return false
      return true
    }),
  )
  into[key] = value
}

/** Resource{1 repeated KeyValue attributes}: its attributes. */
export function resource(r: BinaryReader, end: number): Attributes {
  const attributes: Attributes = {}
  eachField(r, end, (field, type) => {
    if (field !== 1) return false
    addKeyValue(attributes, r, type)
    return true
  })
  return attributes
}

/** InstrumentationScope{1 name, 2 version, …}: its name. */
export function scopeName(r: BinaryReader, end: number): string {
  let name = ''
  eachField(r, end, (field, type) => {
    if (field !== 1) return false
    name = intern(read.string(r, type))
    return true
  })
  return name
}
