import { describe, expect, it } from 'vitest'
import { formatDuration, renderTraceTree, type TraceSpan, type WholeTrace } from './trace-tree.js'

const T0 = 1_800_000_000_000

const span = (
  spanId: string,
  parentSpanId: string | null,
  service: string,
  name: string,
  at: number,
  durationMs: number,
  status: TraceSpan['status'] = { code: 'unset', message: '' },
): TraceSpan => ({ spanId, parentSpanId, service, name, startMs: T0 + at, durationMs, status })

const traceOf = (spans: TraceSpan[]): WholeTrace => ({
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  start: new Date(T0).toISOString(),
  durationMs: 182.4,
  spanCount: spans.length,
  services: [...new Set(spans.map((s) => s.service))],
  error: spans.some((s) => s.status.code === 'error'),
  spans,
})

describe('trace tree', () => {
  it('when spans nest, then each sits under its parent, siblings by start time, columns aligned', () => {
    // given out of order, as spans arrive from several services
    const tree = renderTraceTree(
      traceOf([
        span('c2', 'b', 'payments', 'payments.v1.PaymentsService/Authorize', 40, 30, {
          code: 'error',
          message: 'card declined',
        }),
        span('b', 'a', 'orders', 'orders.v1.OrdersService/PlaceOrder', 5, 170.1),
        span('a', null, 'gateway', 'POST /api/orders', 0, 182.4, { code: 'ok', message: '' }),
        span('c1', 'b', 'identity', 'identity.v1.IdentityService/GetUser', 10, 3.2),
        span('d', 'c2', 'fraud', 'fraud.v1.FraudService/Score', 45, 1.5),
        span('e', 'a', 'gateway', 'publish OrderCreated', 180, 0.42),
      ]),
    )
    expect(tree.split('\n')).toEqual([
      'trace 4bf92f3577b34da6a3ce929d0e0e4736  2027-01-15T08:00:00.000Z  182.4 ms  6 spans  5 services  ERROR',
      'gateway  POST /api/orders                              182.4 ms  ok',
      '├─ orders  orders.v1.OrdersService/PlaceOrder          170.1 ms',
      '│  ├─ identity  identity.v1.IdentityService/GetUser     3.20 ms',
      '│  └─ payments  payments.v1.PaymentsService/Authorize   30.0 ms  ERROR card declined',
      '│     └─ fraud  fraud.v1.FraudService/Score             1.50 ms',
      '└─ gateway  publish OrderCreated                        0.42 ms',
    ])
  })

  it('when a span’s parent never arrived, then it is drawn at the top and marked', () => {
    const tree = renderTraceTree(
      traceOf([
        span('a', null, 'gateway', 'POST /api/orders', 0, 10),
        span('x', 'missing', 'payments', 'consume OrderCreated', 20, 5),
        span('y', 'x', 'fraud', 'fraud.v1.FraudService/Score', 21, 1),
      ]),
    )
    expect(tree.split('\n').slice(1)).toEqual([
      'gateway  POST /api/orders                              10.0 ms',
      'payments  consume OrderCreated  (parent not received)  5.00 ms',
      '└─ fraud  fraud.v1.FraudService/Score                  1.00 ms',
    ])
  })

  it('when spans name each other as parents in a cycle, then each is still drawn once', () => {
    const tree = renderTraceTree(
      traceOf([span('p', 'q', 'orders', 'one', 0, 1), span('q', 'p', 'orders', 'two', 1, 1)]),
    )
    expect(tree.split('\n').slice(1)).toEqual(['orders  one     1.00 ms', '└─ orders  two  1.00 ms'])
  })

  it('when durations are small or large, then they read in ms or s', () => {
    expect([0.4, 9.996, 12.34, 999.9, 999.96, 1_250].map(formatDuration)).toEqual([
      '0.40 ms',
      '10.0 ms',
      '12.3 ms',
      '999.9 ms',
      '1.00 s',
      '1.25 s',
    ])
  })
})
