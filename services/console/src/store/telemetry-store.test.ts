import { describe, expect, it } from 'vitest'
import { logEntry, newTraceId, spanRecord } from '../../test/fixtures.js'
import { createTelemetryStore } from './telemetry-store.js'

const MiB = 1024 * 1024
const allTraces = { errorsOnly: false, limit: 1_000 }

const traceOf = (spans: number, traceId = newTraceId()) =>
  Array.from({ length: spans }, (_, i) => spanRecord({ traceId, startMs: 1_000 + i, name: `step-${i}` }))

describe('telemetry store', () => {
  it('when spans exceed the trace budget, then the traces changed longest ago go first and the rest fit', () => {
    const store = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5_000 })
    const ids: string[] = []
    let evicted = 0
    for (let i = 0; i < 400; i++) {
      const spans = traceOf(10)
      ids.push(spans[0]!.traceId)
      evicted += store.addSpans(spans).evicted
    }
    const { traces } = store.stats()
    expect(traces.bytes).toBeLessThanOrEqual(traces.limitBytes)
    expect(traces.limitBytes).toBe(MiB)
    expect(evicted).toBeGreaterThan(0)
    expect(store.stats().evicted.spans).toBe(evicted)
    const kept = new Set(store.findTraces(allTraces).map((t) => t.traceId))
    expect(kept.size).toBe(traces.count)
    // the kept ones are exactly the newest
    expect(ids.slice(-kept.size).every((id) => kept.has(id))).toBe(true)
    expect(kept.has(ids[0]!)).toBe(false)
  })

  it('when an old trace receives another span, then it counts as recent and outlives newer ones', () => {
    const store = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5_000 })
    const first = traceOf(10)
    const firstId = first[0]!.traceId
    store.addSpans(first)
    const second = traceOf(10)
    store.addSpans(second)
    store.addSpans([spanRecord({ traceId: firstId, name: 'late step' })])
    for (let i = 0; i < 400 && store.trace(second[0]!.traceId); i++) store.addSpans(traceOf(10))
    expect(store.trace(second[0]!.traceId)).toBeUndefined()
    expect(store.trace(firstId)?.summary.spanCount).toBe(11)
  })

  it('when a span comes twice, then it is kept once', () => {
    const store = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5_000 })
    const spans = traceOf(3)
    store.addSpans(spans)
    expect(store.addSpans(spans)).toMatchObject({ kept: 0, duplicates: 3 })
    expect(store.trace(spans[0]!.traceId)?.spans).toHaveLength(3)
  })

  it('when a long trace receives a span it already has, then that span is refused as a duplicate', () => {
    const store = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5_000 })
    const spans = traceOf(100)
    store.addSpans(spans)
    expect(store.addSpans([spans[0]!, spans[50]!, spans[99]!])).toMatchObject({ kept: 0, duplicates: 3 })
    expect(store.addSpans(traceOf(1, spans[0]!.traceId))).toMatchObject({ kept: 1, duplicates: 0 })
    expect(store.trace(spans[0]!.traceId)?.spans).toHaveLength(101)
  })

  it('when a trace reaches its span limit, then further spans of it are refused and counted', () => {
    const store = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5 })
    const spans = traceOf(8)
    expect(store.addSpans(spans)).toMatchObject({ kept: 5, overLimit: 3 })
  })

  it('when logs exceed their budget, then the oldest lines go first, and the traces are untouched', () => {
    const store = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5_000 })
    const trace = traceOf(5)
    store.addSpans(trace)
    let evicted = 0
    for (let i = 0; i < 10_000; i++)
      evicted += store.addLogs([logEntry({ timeMs: i, message: `line ${i} ${'x'.repeat(100)}` })]).evicted
    const { logs } = store.stats()
    expect(logs.bytes).toBeLessThanOrEqual(logs.limitBytes)
    expect(evicted).toBe(10_000 - logs.count)
    const latest = store.findLogs({ limit: 1_000 })
    expect(latest.at(-1)?.message).toMatch(/^line 9999 /)
    expect(store.findLogs({ limit: 1_000, toMs: evicted - 1 })).toEqual([])
    expect(store.trace(trace[0]!.traceId)?.spans).toHaveLength(5)
  })

  it('when logs are asked for, then the latest matching come back, oldest first', () => {
    const store = createTelemetryStore({ maxBytes: 2 * MiB, maxSpansPerTrace: 5_000 })
    store.addLogs([
      logEntry({ timeMs: 1, message: 'a', service: 'orders' }),
      logEntry({ timeMs: 2, message: 'b', service: 'payments' }),
      logEntry({ timeMs: 3, message: 'c', service: 'orders', severityNumber: 17, level: 'error' }),
      logEntry({ timeMs: 4, message: 'd', service: 'orders' }),
    ])
    expect(store.findLogs({ service: 'orders', limit: 2 }).map((l) => l.message)).toEqual(['c', 'd'])
    expect(store.findLogs({ level: 'warn', limit: 10 }).map((l) => l.message)).toEqual(['c'])
  })
})
