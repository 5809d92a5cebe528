import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire'
import { isAppError } from '@microshop/chassis/errors'
import { describe, expect, it } from 'vitest'
import {
  decodeLogsProtobuf,
  decodeMetricsProtobuf,
  decodeSpanMessage,
  decodeTracesProtobuf,
} from './otlp-protobuf.js'

// Messages written field by field with the wire format's own writer, as any OTLP sender would.

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'
const PARENT = '1111111111111111'
const bytes = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((h) => Number.parseInt(h, 16)))

type Fields = (w: BinaryWriter) => void
const message = (w: BinaryWriter, field: number, fields: Fields) => {
  w.tag(field, WireType.LengthDelimited).fork()
  fields(w)
  w.join()
}
const keyValue = (w: BinaryWriter, field: number, key: string, value: Fields) =>
  message(w, field, (w) => {
    w.tag(1, WireType.LengthDelimited).string(key)
    message(w, 2, value)
  })
const str =
  (value: string): Fields =>
  (w) =>
    w.tag(1, WireType.LengthDelimited).string(value)

/** Every kind of unknown field a newer sender could add: the decoder must step over each. */
const unknownFields: Fields = (w) => {
  w.tag(90, WireType.Varint).uint64(1n << 60n)
  w.tag(91, WireType.Bit64).fixed64(7n)
  w.tag(92, WireType.LengthDelimited).bytes(new Uint8Array([1, 2, 3]))
  w.tag(93, WireType.Bit32).fixed32(9)
  w.tag(94, WireType.StartGroup).tag(1, WireType.Varint).uint32(5).tag(94, WireType.EndGroup)
}

const resource = (w: BinaryWriter, service: string) =>
  message(w, 1, (w) => {
    keyValue(w, 1, 'service.name', str(service))
    keyValue(w, 1, 'service.instance.id', str(`${service}-1`))
    unknownFields(w)
  })

function spanBody(w: BinaryWriter) {
  w.tag(1, WireType.LengthDelimited).bytes(bytes(TRACE))
  w.tag(2, WireType.LengthDelimited).bytes(bytes(SPAN))
  w.tag(3, WireType.LengthDelimited).string('vendor=1')
  w.tag(4, WireType.LengthDelimited).bytes(bytes(PARENT))
  w.tag(5, WireType.LengthDelimited).string('PlaceOrder')
  w.tag(6, WireType.Varint).int32(2)
  w.tag(7, WireType.Bit64).fixed64(1_700_000_000_000_000_000n)
  w.tag(8, WireType.Bit64).fixed64(1_700_000_000_012_500_000n)
  keyValue(w, 9, 'order.id', str('ord-1'))
  keyValue(w, 9, 'attempt', (w) => w.tag(3, WireType.Varint).int64(-3))
  keyValue(w, 9, 'big', (w) => w.tag(3, WireType.Varint).int64(2n ** 62n))
  keyValue(w, 9, 'ratio', (w) => w.tag(4, WireType.Bit64).double(0.5))
  keyValue(w, 9, 'ok', (w) => w.tag(2, WireType.Varint).bool(true))
  keyValue(w, 9, 'raw', (w) => w.tag(7, WireType.LengthDelimited).bytes(new Uint8Array([255, 0])))
  keyValue(w, 9, 'list', (w) =>
    message(w, 5, (w) => {
      message(w, 1, str('a'))
      message(w, 1, (w) => message(w, 6, (w) => keyValue(w, 1, 'k', str('v'))))
    }),
  )
  message(w, 11, (w) => {
    w.tag(1, WireType.Bit64).fixed64(1_700_000_000_001_000_000n)
    w.tag(2, WireType.LengthDelimited).string('exception')
    keyValue(w, 3, 'exception.message', str('boom'))
  })
  message(w, 13, (w) => {
    w.tag(1, WireType.LengthDelimited).bytes(bytes(TRACE.replace('4', '5')))
    w.tag(2, WireType.LengthDelimited).bytes(bytes(PARENT))
    w.tag(6, WireType.Bit32).fixed32(1)
  })
  message(w, 15, (w) => {
    w.tag(2, WireType.LengthDelimited).string('card declined')
    w.tag(3, WireType.Varint).int32(2)
  })
  w.tag(16, WireType.Bit32).fixed32(1)
  unknownFields(w)
}

/** A request of one span with its ids and `attribute` (one or more attribute fields, or anything else). */
const withAttribute = (attribute: Fields) =>
  traceRequest((w) => {
    w.tag(1, WireType.LengthDelimited).bytes(bytes(TRACE))
    w.tag(2, WireType.LengthDelimited).bytes(bytes(SPAN))
    attribute(w)
  })

/** ExportTraceServiceRequest with the scope written after the spans: field order is free on the wire. */
function traceRequest(span: Fields = spanBody): Uint8Array {
  const w = new BinaryWriter()
  message(w, 1, (w) => {
    message(w, 2, (w) => {
      message(w, 2, span)
      message(w, 1, (w) => w.tag(1, WireType.LengthDelimited).string('microshop'))
    })
    resource(w, 'orders')
    w.tag(3, WireType.LengthDelimited).string('https://opentelemetry.io/schemas/1.26.0')
  })
  unknownFields(w)
  return w.finish()
}

const reasonOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    if (!isAppError(err)) throw err
    expect(err.code).toBe('CONSOLE_MALFORMED_PROTOBUF')
    return err.message
  }
  throw new Error('expected CONSOLE_MALFORMED_PROTOBUF')
}

describe('OTLP protobuf traces', () => {
  it('when a span has every field and unknown ones of each wire type, then each known field is read', () => {
    const [span, ...rest] = decodeTracesProtobuf(traceRequest())
    expect(rest).toEqual([])
    expect(span).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      parentSpanId: PARENT,
      name: 'PlaceOrder',
      kind: 'server',
      service: 'orders',
      instance: 'orders-1',
      scope: 'microshop',
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000000012500000',
      startMs: 1_700_000_000_000,
      durationMs: 12.5,
      status: { code: 'error', message: 'card declined' },
      attributes: {
        'order.id': 'ord-1',
        attempt: -3,
        big: (2n ** 62n).toString(),
        ratio: 0.5,
        ok: true,
        raw: '/wA=',
        list: ['a', { k: 'v' }],
      },
      events: [
        {
          timeUnixNano: '1700000000001000000',
          name: 'exception',
          attributes: { 'exception.message': 'boom' },
        },
      ],
      links: [{ traceId: TRACE.replace('4', '5'), spanId: PARENT, attributes: {} }],
    })
  })

  it('when spans are kept as their bytes, then each record has order.id alone of its attributes, and its bytes the whole span', () => {
    const raw: Uint8Array[] = []
    const [record] = decodeTracesProtobuf(traceRequest(), raw)
    const [whole] = decodeTracesProtobuf(traceRequest())
    const { attributes, ...facts } = whole!
    expect(record).toEqual({
      ...facts,
      attributes: { 'order.id': 'ord-1' },
      startTimeUnixNano: '',
      endTimeUnixNano: '',
    })
    expect(raw).toHaveLength(1)
    // a message alone has no resource and no scope: the store keeps those beside the bytes
    const { service, instance, ...ofMessage } = facts
    expect([service, instance]).toEqual(['orders', 'orders-1'])
    expect(decodeSpanMessage(raw[0]!)).toEqual({ ...ofMessage, scope: '', attributes })
  })

  it('when a span kept as bytes has no order.id, or one whose key comes after its value, then its facts say so', () => {
    const asBytes = (body: Uint8Array) => decodeTracesProtobuf(body, [])[0]!.attributes
    expect(asBytes(withAttribute((w) => keyValue(w, 9, 'order', str('ord-1'))))).toEqual({})
    expect(asBytes(withAttribute((w) => keyValue(w, 9, 'order.idx', str('ord-1'))))).toEqual({})
    const valueFirst = withAttribute((w) =>
      message(w, 9, (w) => {
        message(w, 2, (w) => w.tag(3, WireType.Varint).int64(42))
        w.tag(1, WireType.LengthDelimited).string('order.id')
      }),
    )
    expect(asBytes(valueFirst)).toEqual({ 'order.id': 42 })
    expect(
      asBytes(
        withAttribute((w) => message(w, 9, (w) => w.tag(1, WireType.LengthDelimited).string('order.id'))),
      ),
    ).toEqual({
      'order.id': null,
    })
  })

  it('when the body is empty, then it is a request without spans', () => {
    expect(decodeTracesProtobuf(new Uint8Array())).toEqual([])
  })

  it('when a root span has no parent and no resource, then its parent is null and its service unknown', () => {
    const w = new BinaryWriter()
    message(w, 1, (w) =>
      message(w, 2, (w) =>
        message(w, 2, (w) => {
          w.tag(1, WireType.LengthDelimited).bytes(bytes(TRACE))
          w.tag(2, WireType.LengthDelimited).bytes(bytes(SPAN))
        }),
      ),
    )
    expect(decodeTracesProtobuf(w.finish())[0]).toMatchObject({
      parentSpanId: null,
      service: 'unknown_service',
      instance: null,
      kind: 'unspecified',
      status: { code: 'unset' },
    })
  })

  it('when the message is cut short, then the reason names where', () => {
    const whole = traceRequest()
    expect(reasonOf(() => decodeTracesProtobuf(whole.subarray(0, whole.length - 40)))).toMatch(
      /ExportTraceServiceRequest: resource_spans/,
    )
  })

  it('when a trace id is not 16 bytes, then the reason names the field', () => {
    const body = traceRequest((w) => {
      w.tag(1, WireType.LengthDelimited).bytes(bytes('abcd'))
      w.tag(2, WireType.LengthDelimited).bytes(bytes(SPAN))
    })
    expect(reasonOf(() => decodeTracesProtobuf(body))).toContain(
      'resource_spans.scope_spans.spans.trace_id: expected 16 bytes, got 2',
    )
  })

  it('when a known field comes with the wrong wire type, then it is refused', () => {
    const body = traceRequest((w) => w.tag(5, WireType.Varint).uint32(1))
    expect(reasonOf(() => decodeTracesProtobuf(body))).toContain(
      'wire type varint, expected length-delimited',
    )
  })

  it('when attribute values nest deeper than 32, then it is refused instead of recursed into', () => {
    const deep: Fields = (w) => {
      let depth = 0
      const nest = (w: BinaryWriter): void =>
        message(w, 5, (w) => (++depth < 40 ? message(w, 1, nest) : message(w, 1, str('bottom'))))
      nest(w)
    }
    const body = traceRequest((w) => {
      w.tag(1, WireType.LengthDelimited).bytes(bytes(TRACE))
      w.tag(2, WireType.LengthDelimited).bytes(bytes(SPAN))
      keyValue(w, 9, 'deep', deep)
    })
    expect(reasonOf(() => decodeTracesProtobuf(body))).toContain('nested deeper than 32')
  })

  it('when fed random bytes and every truncation of a valid body, then it answers or refuses, never crashes', () => {
    let seed = 42
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    const bodies: Uint8Array[] = []
    for (let i = 0; i < 2_000; i++)
      bodies.push(Uint8Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)))
    const whole = traceRequest()
    for (let n = 0; n < whole.length; n++) bodies.push(whole.subarray(0, n))
    for (let i = 0; i < 500; i++) {
      const flipped = whole.slice()
      flipped[Math.floor(random() * flipped.length)] = Math.floor(random() * 256)
      bodies.push(flipped)
    }
    for (const decode of [decodeTracesProtobuf, decodeLogsProtobuf, decodeMetricsProtobuf])
      for (const body of bodies) {
        try {
          decode(body)
        } catch (err) {
          expect(isAppError(err) && err.code).toBe('CONSOLE_MALFORMED_PROTOBUF')
        }
      }
    // spans kept as bytes have their attributes checked, not read: the same bodies pass and fail, for the same reasons
    const outcome = (decode: () => unknown) => {
      try {
        decode()
        return 'accepted'
      } catch (err) {
        return reasonOf(() => {
          throw err
        })
      }
    }
    let refused = 0
    for (const body of bodies) {
      const whole = outcome(() => decodeTracesProtobuf(body))
      if (whole !== 'accepted') refused++
      expect(outcome(() => decodeTracesProtobuf(body, []))).toBe(whole)
    }
    expect(refused).toBeGreaterThan(100)
  })

  it('when an attribute is malformed, then spans kept as bytes are refused with the reason a whole read gives', () => {
    let deep: Fields = str('bottom')
    for (let i = 0; i < 40; i++) {
      const inner = deep
      deep = (w) => message(w, 5, (w) => message(w, 1, inner))
    }
    const bodies = [
      withAttribute((w) => keyValue(w, 9, 'deep', deep)),
      withAttribute((w) => keyValue(w, 9, 'n', (w) => w.tag(3, WireType.LengthDelimited).string('x'))),
      withAttribute((w) => keyValue(w, 9, 'd', (w) => w.tag(4, WireType.Varint).uint32(1))),
      withAttribute((w) =>
        keyValue(w, 9, 'l', (w) =>
          message(w, 6, (w) => message(w, 1, (w) => w.tag(1, WireType.Varint).uint32(3))),
        ),
      ),
      withAttribute((w) => w.tag(9, WireType.Varint).uint32(1)),
    ]
    for (const body of bodies) {
      const reason = reasonOf(() => decodeTracesProtobuf(body))
      expect(reasonOf(() => decodeTracesProtobuf(body, []))).toBe(reason)
    }
  })
})

describe('OTLP protobuf logs and metrics', () => {
  it('when a log record carries only an observed time and a severity text, then both are used', () => {
    const w = new BinaryWriter()
    message(w, 1, (w) => {
      resource(w, 'payments')
      message(w, 2, (w) =>
        message(w, 2, (w) => {
          w.tag(11, WireType.Bit64).fixed64(1_700_000_000_500_000_000n)
          w.tag(3, WireType.LengthDelimited).string('WARN')
          message(w, 5, (w) => message(w, 6, (w) => keyValue(w, 1, 'msg', str('slow card'))))
          keyValue(w, 6, 'orderId', str('ord-9'))
          w.tag(9, WireType.LengthDelimited).bytes(bytes(TRACE))
          w.tag(10, WireType.LengthDelimited).bytes(bytes(SPAN))
          w.tag(8, WireType.Bit32).fixed32(1)
          unknownFields(w)
        }),
      )
    })
    expect(decodeLogsProtobuf(w.finish())).toEqual([
      {
        timeUnixNano: '1700000000500000000',
        timeMs: 1_700_000_000_500,
        service: 'payments',
        instance: 'payments-1',
        severityNumber: 13,
        severityText: 'WARN',
        level: 'warn',
        message: '{"msg":"slow card"}',
        attributes: { orderId: 'ord-9' },
        traceId: TRACE,
        spanId: SPAN,
      },
    ])
  })

  it('when metrics of each kind come, then each keeps its kind, point count and latest number', () => {
    const point = (time: bigint, value: Fields) => (w: BinaryWriter) =>
      message(w, 1, (w) => {
        w.tag(3, WireType.Bit64).fixed64(time)
        value(w)
      })
    const w = new BinaryWriter()
    message(w, 1, (w) => {
      resource(w, 'orders')
      message(w, 2, (w) => {
        message(w, 2, (w) => {
          w.tag(1, WireType.LengthDelimited).string('queue_depth')
          message(w, 5, (w) => {
            point(2_000_000_000n, (w) => w.tag(4, WireType.Bit64).double(7.5))(w)
            point(1_000_000_000n, (w) => w.tag(4, WireType.Bit64).double(1))(w)
          })
        })
        message(w, 2, (w) => {
          w.tag(1, WireType.LengthDelimited).string('orders_placed_total')
          w.tag(3, WireType.LengthDelimited).string('1')
          message(w, 7, (w) => {
            point(3_000_000_000n, (w) => w.tag(6, WireType.Bit64).sfixed64(-4))(w)
            w.tag(2, WireType.Varint).int32(2)
            w.tag(3, WireType.Varint).bool(true)
          })
        })
        message(w, 2, (w) => {
          w.tag(1, WireType.LengthDelimited).string('latency')
          message(w, 9, (w) => {
            message(w, 1, (w) => w.tag(4, WireType.Bit64).fixed64(3n))
            message(w, 1, (w) => w.tag(4, WireType.Bit64).fixed64(4n))
          })
        })
      })
    })
    expect(
      decodeMetricsProtobuf(w.finish()).map(({ name, type, points, latest, unit }) => ({
        name,
        type,
        points,
        latest,
        unit,
      })),
    ).toEqual([
      { name: 'queue_depth', type: 'gauge', points: 2, latest: 7.5, unit: '' },
      { name: 'orders_placed_total', type: 'sum', points: 1, latest: -4, unit: '1' },
      { name: 'latency', type: 'histogram', points: 2, latest: null, unit: '' },
    ])
  })
})
