import { LEVEL_FLOOR, type LevelName, type LogEntry } from './telemetry.js'

/** Which log lines a query shows; every criterion given must hold. */
export interface LogFilter {
  service?: string
  instance?: string
  /** This level and above. */
  level?: Exclude<LevelName, 'unspecified'>
  traceId?: string
  /** Found, ignoring case, in the message or in an attribute's string value. */
  text?: string
  fromMs?: number
  toMs?: number
  limit: number
}

function hasText(entry: LogEntry, needle: string): boolean {
  if (entry.message.toLowerCase().includes(needle)) return true
  for (const value of Object.values(entry.attributes))
    if (typeof value === 'string' && value.toLowerCase().includes(needle)) return true
  return false
}

export function logMatches(filter: LogFilter, entry: LogEntry): boolean {
  if (filter.service !== undefined && entry.service !== filter.service) return false
  if (filter.instance !== undefined && entry.instance !== filter.instance) return false
  if (filter.level !== undefined && entry.severityNumber < LEVEL_FLOOR[filter.level]) return false
  if (filter.traceId !== undefined && entry.traceId !== filter.traceId) return false
  if (filter.fromMs !== undefined && entry.timeMs < filter.fromMs) return false
  if (filter.toMs !== undefined && entry.timeMs > filter.toMs) return false
  if (filter.text !== undefined && !hasText(entry, filter.text.toLowerCase())) return false
  return true
}
