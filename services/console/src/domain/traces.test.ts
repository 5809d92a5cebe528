import { isAppError } from '@microshop/chassis/errors'
import { describe, expect, it } from 'vitest'
import { spanRecord } from '../../test/fixtures.js'
import { parseLogQuery, parseTraceQuery } from './queries.js'
import { addSpanToFacts, newTraceFacts, summaryOf, traceMatches } from './traces.js'

const TRACE = 'a'.repeat(32)

function factsOf(...spans: ReturnType<typeof spanRecord>[]) {
  const facts = newTraceFacts(TRACE)
  for (const span of spans) addSpanToFacts(facts, span)
  return facts
}

const checkout = () =>
  factsOf(
    // children end first and are exported before their root
    spanRecord({
      traceId: TRACE,
      spanId: '2'.repeat(16),
      parentSpanId: '1'.repeat(16),
      service: 'orders',
      name: 'PlaceOrder',
      startMs: 1_005,
      durationMs: 50,
      attributes: { 'order.id': 'ord-1' },
    }),
    spanRecord({
      traceId: TRACE,
      spanId: '3'.repeat(16),
      parentSpanId: '2'.repeat(16),
      service: 'fraud',
      name: 'Score',
      startMs: 1_010,
      durationMs: 5,
      status: { code: 'error', message: 'x' },
    }),
    spanRecord({
      traceId: TRACE,
      spanId: '1'.repeat(16),
      parentSpanId: null,
      service: 'gateway',
      name: 'POST /api/orders',
      startMs: 1_000,
      durationMs: 120,
    }),
  )

describe('trace facts', () => {
  it('when the root arrives last, then the summary names it and spans the whole trace', () => {
    expect(summaryOf(checkout())).toEqual({
      traceId: TRACE,
      rootService: 'gateway',
      rootOperation: 'POST /api/orders',
      start: new Date(1_000).toISOString(),
      startMs: 1_000,
      durationMs: 120,
      spanCount: 3,
      services: ['orders', 'fraud', 'gateway'],
      error: true,
    })
  })

  it('when no span without a parent came yet, then the earliest span stands for the root', () => {
    const facts = factsOf(
      spanRecord({
        traceId: TRACE,
        parentSpanId: 'f'.repeat(16),
        service: 'payments',
        name: 'late',
        startMs: 9,
      }),
      spanRecord({
        traceId: TRACE,
        parentSpanId: 'f'.repeat(16),
        service: 'orders',
        name: 'early',
        startMs: 5,
      }),
    )
    expect(summaryOf(facts)).toMatchObject({ rootService: 'orders', rootOperation: 'early' })
  })

  it('when filtered, then each criterion must hold', () => {
    const facts = checkout()
    const base = { errorsOnly: false, limit: 10 }
    expect(traceMatches({ ...base, service: 'fraud' }, facts)).toBe(true)
    expect(traceMatches({ ...base, service: 'cart' }, facts)).toBe(false)
    expect(traceMatches({ ...base, operation: 'Score' }, facts)).toBe(true)
    expect(traceMatches({ ...base, orderId: 'ord-1' }, facts)).toBe(true)
    expect(traceMatches({ ...base, orderId: 'ord-2' }, facts)).toBe(false)
    expect(traceMatches({ ...base, errorsOnly: true }, facts)).toBe(true)
    expect(traceMatches({ ...base, minDurationMs: 120 }, facts)).toBe(true)
    expect(traceMatches({ ...base, minDurationMs: 121 }, facts)).toBe(false)
    expect(traceMatches({ ...base, fromMs: 1_001 }, facts)).toBe(false)
    expect(traceMatches({ ...base, toMs: 1_000 }, facts)).toBe(true)
  })
})

describe('query strings', () => {
  const problemOf = (fn: () => unknown) => {
    try {
      fn()
    } catch (err) {
      if (isAppError(err) && err.code === 'CONSOLE_INVALID_QUERY') return err
      throw err
    }
    throw new Error('expected CONSOLE_INVALID_QUERY')
  }

  it('when parameters are given, then they become the filter, with times in ISO or epoch ms', () => {
    expect(
      parseTraceQuery({
        service: 'orders',
        error: '1',
        minDurationMs: '2.5',
        from: '2026-01-01T00:00:00Z',
        to: '5',
        limit: '3',
      }),
    ).toEqual({
      service: 'orders',
      operation: undefined,
      orderId: undefined,
      errorsOnly: true,
      minDurationMs: 2.5,
      fromMs: Date.parse('2026-01-01T00:00:00Z'),
      toMs: 5,
      limit: 3,
    })
    expect(parseLogQuery({ level: 'WARN', follow: 'true', traceId: 'A'.repeat(32) })).toMatchObject({
      level: 'warn',
      follow: true,
      traceId: 'a'.repeat(32),
      limit: 100,
    })
  })

  it('when parameters are wrong, then every problem is named at once', () => {
    const err = problemOf(() =>
      parseTraceQuery({ servce: 'orders', limit: '0', from: 'yesterday', error: 'yes' }),
    )
    expect(err.fields.map((f) => f.field).sort()).toEqual(['error', 'from', 'limit', 'servce'])
    expect(err.message).toContain('servce is not a known parameter')
    expect(problemOf(() => parseLogQuery({ level: 'loud', traceId: 'xyz' })).fields).toHaveLength(2)
    expect(problemOf(() => parseLogQuery({ service: ['a', 'b'] })).message).toContain('more than once')
  })
})
