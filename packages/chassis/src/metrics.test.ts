import client from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createMetrics, Histogram } from './metrics.js'

const BUCKETS = [0.001, 0.01, 0.1, 1]
const LABELS = ['method', 'route', 'status'] as const

// values on, between and beyond the bounds; labels with a number, a left-out label, repeats in other orders
const OBSERVATIONS: Array<[Partial<Record<(typeof LABELS)[number], string | number>>, number]> = [
  [{ method: 'GET', route: '/a', status: 200 }, 0.0005],
  [{ method: 'GET', route: '/a', status: 200 }, 0.001],
  [{ status: 200, route: '/a', method: 'GET' }, 0.05],
  [{ method: 'GET', route: '/a', status: 404 }, 2],
  [{ method: 'POST', route: '/b', status: 201 }, 0.1],
  [{ method: 'POST', status: 500 }, 0],
  [{ method: 'GET', route: '/a', status: 200 }, 7.25],
]

/** The exposition of one registry holding the histogram, with default labels as a service's has. */
async function exposition(make: (registry: client.Registry) => { observe(l: object, v: number): void }) {
  const registry = new client.Registry()
  registry.setDefaultLabels({ service: 'test', instance: 'test-1' })
  const histogram = make(registry)
  for (const [labels, value] of OBSERVATIONS) histogram.observe(labels, value)
  return { text: await registry.metrics(), json: await registry.getMetricsAsJSON() }
}

describe("the chassis' histogram", () => {
  it("is exposed line for line as prom-client's own histogram of the same observations", async () => {
    const theirs = await exposition(
      (registry) =>
        new client.Histogram({
          name: 'h_seconds',
          help: 'A histogram',
          labelNames: LABELS,
          buckets: BUCKETS,
          registers: [registry],
        }),
    )
    const ours = await exposition((registry) => {
      const h = new Histogram('h_seconds', 'A histogram', LABELS, BUCKETS)
      registry.registerMetric(h as unknown as client.Metric)
      return h
    })
    expect(ours.text).toContain(
      'h_seconds_bucket{le="0.01",service="test",instance="test-1",method="GET",route="/a",status="200"} 2',
    )
    expect(ours.text).toBe(theirs.text)
    expect(ours.json).toEqual(theirs.json)
  })

  it('refuses a value that is not a number, as prom-client did, and counts nothing for it', async () => {
    const metrics = createMetrics({ service: 'test', instance: 'test-1' })
    expect(() => metrics.transactions.observe({ outcome: 'commit' }, Number.NaN)).toThrow(TypeError)
    metrics.transactions.observe({ outcome: 'commit' }, 0.002)
    expect(await metrics.registry.metrics()).toMatch(
      /^microshop_db_transaction_duration_seconds_count\{service="test",instance="test-1",outcome="commit"\} 1$/m,
    )
  })

  it('starts again from nothing when the registry resets its metrics', async () => {
    const metrics = createMetrics({ service: 'test', instance: 'test-1' })
    metrics.transactions.observe({ outcome: 'commit' }, 0.002)
    metrics.registry.resetMetrics()
    expect(await metrics.registry.metrics()).not.toContain('microshop_db_transaction_duration_seconds_count')
  })
})
