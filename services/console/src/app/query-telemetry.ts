import { ConsoleErrors } from '../domain/errors.js'
import type { LogFilter } from '../domain/logs.js'
import { parseLogQuery, parseTraceId, parseTraceQuery } from '../domain/queries.js'
import type { LogEntry } from '../domain/telemetry.js'
import type { TelemetryStore } from '../store/telemetry-store.js'
import type { LogFeed } from './log-feed.js'

type Query = Record<string, unknown>

/** The query API's use cases, over what the store keeps now. */
export function createTelemetryQueries(deps: { store: TelemetryStore; feed: LogFeed }) {
  const { store, feed } = deps
  return {
    traces: (query: Query) => ({ items: store.findTraces(parseTraceQuery(query)) }),

    trace(rawId: string) {
      const traceId = parseTraceId(rawId)
      const found = store.trace(traceId)
      if (!found) throw ConsoleErrors.traceNotFound(traceId)
      return { ...found.summary, spans: found.spans }
    },

    /** Reads the query; `follow` says whether the caller wants the live lines after the recent ones. */
    logQuery: (query: Query) => parseLogQuery(query),

    logs: (filter: LogFilter) => ({ items: store.findLogs(filter) }),

    /** The recent matching lines, then each new one as it arrives, until the returned function is called. */
    followLogs(filter: LogFilter, send: (entry: LogEntry) => void): () => void {
      // both in one synchronous step: no line can arrive between the read and the follow
      for (const entry of store.findLogs(filter)) send(entry)
      return feed.follow(filter, send)
    },

    metrics: (service: string | undefined) => ({ items: store.metrics(service) }),

    /** What the store keeps and evicted, and how many clients follow the logs live. */
    stats: () => ({ ...store.stats(), logFollowers: feed.followers }),
  }
}

export type TelemetryQueries = ReturnType<typeof createTelemetryQueries>
