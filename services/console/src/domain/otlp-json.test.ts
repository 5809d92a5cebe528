import { isAppError } from '@microshop/chassis/errors'
import { describe, expect, it } from 'vitest'
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from './otlp-json.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))

const traces = (span: Record<string, unknown>, resource: unknown = { attributes: [] }) =>
  json({
    resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 'microshop' }, spans: [span] }] }],
  })

const reasonOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    if (!isAppError(err)) throw err
    expect(err.code).toBe('CONSOLE_MALFORMED_JSON')
    return err.message
  }
  throw new Error('expected CONSOLE_MALFORMED_JSON')
}

describe('OTLP/JSON traces', () => {
  it('when ids are hex, enums numbers and 64-bit integers strings or numbers, then they are read as such', () => {
    const body = traces(
      {
        traceId: TRACE.toUpperCase(),
        spanId: SPAN,
        parentSpanId: '',
        name: 'GET /api/products',
        kind: 2,
        startTimeUnixNano: 1_000_000_000,
        endTimeUnixNano: '1250000000',
        attributes: [
          { key: 'http.response.status_code', value: { intValue: '200' } },
          { key: 'retries', value: { intValue: 2 } },
          { key: 'cached', value: { boolValue: false } },
          { key: 'ratio', value: { doubleValue: 0.25 } },
          { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, {}] } } },
          {
            key: 'peer',
            value: { kvlistValue: { values: [{ key: 'port', value: { intValue: '50051' } }] } },
          },
          { key: 'blob', value: { bytesValue: 'AQI=' } },
        ],
        status: { code: 1 },
        events: [{ timeUnixNano: '1700000000100000000', name: 'cache miss' }],
        links: [{ traceId: TRACE, spanId: SPAN }],
        aFieldFromTheFuture: { whatever: true },
      },
      { attributes: [{ key: 'service.name', value: { stringValue: 'gateway' } }] },
    )
    expect(decodeTracesJson(body)).toEqual([
      {
        traceId: TRACE,
        spanId: SPAN,
        parentSpanId: null,
        name: 'GET /api/products',
        kind: 'server',
        service: 'gateway',
        instance: null,
        scope: 'microshop',
        startTimeUnixNano: '1000000000',
        endTimeUnixNano: '1250000000',
        startMs: 1_000,
        durationMs: 250,
        status: { code: 'ok', message: '' },
        attributes: {
          'http.response.status_code': 200,
          retries: 2,
          cached: false,
          ratio: 0.25,
          tags: ['a', null],
          peer: { port: 50051 },
          blob: 'AQI=',
        },
        events: [{ timeUnixNano: '1700000000100000000', name: 'cache miss', attributes: {} }],
        links: [{ traceId: TRACE, spanId: SPAN, attributes: {} }],
      },
    ])
  })

  it('when enums come by name, then they are read too', () => {
    const [span] = decodeTracesJson(
      traces({
        traceId: TRACE,
        spanId: SPAN,
        kind: 'SPAN_KIND_CONSUMER',
        status: { code: 'STATUS_CODE_ERROR' },
      }),
    )
    expect(span).toMatchObject({ kind: 'consumer', status: { code: 'error' } })
  })

  it('when an id is base64 rather than hex, then the reason names the field and what it expected', () => {
    const body = traces({ traceId: 'S/kvNXezTaajzpKdDg5HNg==', spanId: SPAN })
    expect(reasonOf(() => decodeTracesJson(body))).toContain(
      'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex characters',
    )
  })

  it('when a field has the wrong type, then the reason names it', () => {
    expect(reasonOf(() => decodeTracesJson(traces({ traceId: TRACE, spanId: SPAN, name: 7 })))).toContain(
      'spans[0].name: expected a string',
    )
    expect(
      reasonOf(() => decodeTracesJson(traces({ traceId: TRACE, spanId: SPAN, startTimeUnixNano: '1.5' }))),
    ).toContain('startTimeUnixNano: expected an integer')
    expect(reasonOf(() => decodeTracesJson(json({ resourceSpans: {} })))).toContain(
      'resourceSpans: expected an array',
    )
  })

  it('when the body is not JSON or not UTF-8, then it is refused with the parser’s reason', () => {
    expect(reasonOf(() => decodeTracesJson(new TextEncoder().encode('{"resourceSpans": [')))).toMatch(
      /ExportTraceServiceRequest: .*JSON/,
    )
    expect(reasonOf(() => decodeTracesJson(new Uint8Array([0x7b, 0xff, 0x7d])))).toContain('utf-8')
  })

  it('when the request is an empty object, then it holds no spans', () => {
    expect(decodeTracesJson(json({}))).toEqual([])
  })
})

describe('OTLP/JSON logs and metrics', () => {
  it('when a log record comes, then its level follows its severity number and its ids are kept', () => {
    const body = json({
      resourceLogs: [
        {
          resource: {
            attributes: [
              { key: 'service.name', value: { stringValue: 'orders' } },
              { key: 'service.instance.id', value: { stringValue: 'orders-2' } },
            ],
          },
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: '1700000000000000000',
                  severityNumber: 17,
                  severityText: 'error',
                  body: { stringValue: 'payment failed' },
                  attributes: [{ key: 'orderId', value: { stringValue: 'ord-1' } }],
                  traceId: TRACE,
                  spanId: SPAN,
                },
                { observedTimeUnixNano: 5_000_000, severityNumber: 'SEVERITY_NUMBER_INFO2' },
              ],
            },
          ],
        },
      ],
    })
    expect(decodeLogsJson(body)).toEqual([
      {
        timeUnixNano: '1700000000000000000',
        timeMs: 1_700_000_000_000,
        service: 'orders',
        instance: 'orders-2',
        severityNumber: 17,
        severityText: 'error',
        level: 'error',
        message: 'payment failed',
        attributes: { orderId: 'ord-1' },
        traceId: TRACE,
        spanId: SPAN,
      },
      {
        timeUnixNano: '5000000',
        timeMs: 5,
        service: 'orders',
        instance: 'orders-2',
        severityNumber: 10,
        severityText: '',
        level: 'info',
        message: '',
        attributes: {},
        traceId: null,
        spanId: null,
      },
    ])
  })

  it('when a sum comes with int points, then the latest point’s value is kept', () => {
    const body = json({
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'orders_placed_total',
                  sum: {
                    dataPoints: [
                      { timeUnixNano: '2000', asInt: '12' },
                      { timeUnixNano: '1000', asInt: '11' },
                    ],
                    isMonotonic: true,
                  },
                },
                { name: 'latency', histogram: { dataPoints: [{}, {}, {}] } },
              ],
            },
          ],
        },
      ],
    })
    expect(decodeMetricsJson(body)).toMatchObject([
      { name: 'orders_placed_total', type: 'sum', points: 2, latest: 12, service: 'unknown_service' },
      { name: 'latency', type: 'histogram', points: 3, latest: null },
    ])
  })
})
