import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire'
import { describe, expect, it } from 'vitest'
import { WireError, WireReader } from './protobuf-wire.js'

// The reader against the wire format's own writer, over values chosen to sit at every boundary.

let seed = 7
const random64 = (): bigint => {
  let v = 0n
  for (let i = 0; i < 4; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    v = (v << 16n) | BigInt(seed & 0xffff)
  }
  return v
}

const NANOS = [
  0n,
  999n,
  1000n,
  2n ** 53n - 1n,
  2n ** 53n + 1n,
  1_796_195_975_502_123_999n,
  2n ** 64n - 1n,
  ...Array.from({ length: 200 }, random64),
]

describe('WireReader', () => {
  it('when it reads a fixed64, then its text and its thousandths are exact', () => {
    const w = new BinaryWriter()
    for (const n of NANOS) w.fixed64(n)
    const r = new WireReader(w.finish())
    for (const n of NANOS) {
      const at = r.fixed64At()
      expect(r.u64Text(at)).toBe(n.toString())
      // exact while the thousandths stay below 2^53 (nanoseconds until 2255)
      if (n / 1000n < 2n ** 53n) expect(r.u64Thousandths(at)).toBe(Number(n / 1000n))
    }
  })

  it('when it reads the difference of two fixed64s below 2^53 apart, then it is exact', () => {
    const w = new BinaryWriter()
    const start = 1_796_195_975_502_123_999n
    const gaps = [0n, 1n, 4_294_967_295n, 4_294_967_296n, 86_400_000_000_000n, 2n ** 53n - 1n]
    for (const gap of gaps) w.fixed64(start).fixed64(start + gap)
    const r = new WireReader(w.finish())
    for (const gap of gaps) {
      const from = r.fixed64At()
      const to = r.fixed64At()
      expect(r.u64Difference(from, to)).toBe(Number(gap))
    }
  })

  it('when it reads an int64 varint, then small ones are numbers and the rest exact bigints', () => {
    const values = [0n, 1n, -1n, 127n, 128n, 2n ** 48n, 2n ** 49n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n]
    values.push(...Array.from({ length: 100 }, () => BigInt.asIntN(64, random64())))
    const w = new BinaryWriter()
    for (const v of values) w.int64(v)
    const r = new WireReader(w.finish())
    for (const v of values) {
      const got = r.int64()
      expect(BigInt(got)).toBe(v)
      if (v >= 0n && v < 2n ** 49n) expect(typeof got).toBe('number')
    }
  })

  it('when a negative int32 comes as ten bytes, then it is read whole', () => {
    const r = new WireReader(new BinaryWriter().int32(-5).uint32(7).finish())
    expect(r.int32()).toBe(-5)
    expect(r.uint32()).toBe(7)
  })

  it('when a value runs past the end, then it is refused, not read from beyond', () => {
    const body = new BinaryWriter().tag(1, WireType.LengthDelimited).string('hello').finish()
    const r = new WireReader(body.subarray(0, body.length - 1))
    r.tag()
    expect(() => r.string()).toThrow(WireError)
    expect(() => new WireReader(new Uint8Array([0x80, 0x80])).uint32()).toThrow('premature end of data')
  })

  it('when a group is skipped, then its end must match its start', () => {
    const ok = new BinaryWriter().tag(1, WireType.Varint).uint32(1).tag(4, WireType.EndGroup).finish()
    const r = new WireReader(ok)
    r.skip(WireType.StartGroup, 4)
    expect(r.pos).toBe(ok.length)
    const wrong = new BinaryWriter().tag(5, WireType.EndGroup).finish()
    expect(() => new WireReader(wrong).skip(WireType.StartGroup, 4)).toThrow('invalid end group tag')
  })
})
