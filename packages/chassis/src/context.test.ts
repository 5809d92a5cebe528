import { describe, expect, it } from 'vitest'
import { currentRequest, withRequest } from './context.js'
import { activeIds, createLocalTelemetry, formatTraceparent } from './telemetry.js'

const STORED = formatTraceparent({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 })

describe('the request context, carried in the same context as the active span', () => {
  const telemetry = createLocalTelemetry('context-test')

  it('is the request of the code it runs, across awaits, and nothing outside it', async () => {
    expect(currentRequest()).toBeUndefined()
    const seen = await withRequest({ requestId: 'r-1', authorization: 'Bearer t' }, async () => {
      await new Promise((resolve) => setImmediate(resolve))
      return currentRequest()
    })
    expect(seen).toEqual({ requestId: 'r-1', authorization: 'Bearer t' })
    expect(currentRequest()).toBeUndefined()
  })

  it('stays with a span begun from a stored parent or as a root, which changes only the trace', async () => {
    await withRequest({ requestId: 'r-2' }, async () => {
      const outer = activeIds()
      const fromStored = await telemetry.span('stored', { parent: STORED }, async () => ({
        request: currentRequest(),
        traceId: activeIds()?.traceId,
      }))
      expect(fromStored).toEqual({ request: { requestId: 'r-2' }, traceId: 'a'.repeat(32) })
      const root = await telemetry.span('root', { root: true }, async () => currentRequest())
      expect(root).toEqual({ requestId: 'r-2' })
      expect(activeIds()).toEqual(outer)
    })
  })

  it('of a nested request replaces the outer one while it runs, and the span stays', async () => {
    await telemetry.span('outer', {}, async () => {
      const span = activeIds()
      await withRequest({ requestId: 'outer' }, () =>
        withRequest({ requestId: 'inner' }, async () => {
          expect(currentRequest()?.requestId).toBe('inner')
          expect(activeIds()).toEqual(span)
        }),
      )
    })
  })
})
