import { createWriteStream, type WriteStream } from 'node:fs'
import { join } from 'node:path'

export interface LogFormatOptions {
  /** ANSI colours (only when stdout is a terminal). */
  color: boolean
  /** Print each line as the service wrote it, without a prefix (NDJSON for jq or pino-pretty). */
  json: boolean
  /** Width of the instance id column. */
  width: number
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
}
const LEVEL_COLORS: Record<string, number> = { TRACE: 2, DEBUG: 2, WARN: 33, ERROR: 31, FATAL: 31 }
const SERVICE_COLORS = [36, 35, 32, 34, 33, 96, 95, 92, 94, 93]
const HIDDEN = new Set(['level', 'time', 'msg', 'service', 'instance', 'pid', 'hostname'])

const paint = (on: boolean, code: number | undefined, text: string) =>
  on && code !== undefined ? `\x1b[${code}m${text}\x1b[0m` : text

const oneLine = (text: string) => text.replace(/\r?\n/g, '\\n')

const clock = (date: Date) =>
  `${[date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')}.${String(date.getMilliseconds()).padStart(3, '0')}`

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)
  if (value && typeof value === 'object' && 'message' in value) {
    // an error: its type and message; the stack stays in the raw log file
    const { type, message } = value as { type?: string; message?: unknown }
    return JSON.stringify(`${type ?? 'Error'}: ${String(message)}`)
  }
  return oneLine(JSON.stringify(value) ?? String(value))
}

function formatRecord(record: Record<string, unknown>, color: boolean): string {
  const time = clock(typeof record.time === 'number' ? new Date(record.time) : new Date())
  const level = LEVELS[Number(record.level)] ?? String(record.level ?? '')
  const fields = Object.entries(record)
    .filter(([key, value]) => !HIDDEN.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`)
  const msg = oneLine(String(record.msg ?? ''))
  return [time, paint(color, LEVEL_COLORS[level], level.padEnd(5)), msg, ...fields].join(' ')
}

/** The width of the source column: every instance id fits, and so does `microshop`. */
export const prefixWidth = (ids: readonly string[]) =>
  Math.max('microshop'.length, ...ids.map((id) => id.length))

/** Turns a service's stdout line into `catalog-1 | 19:40:01.123 INFO  msg key=value`. */
export function createLogFormatter(opts: LogFormatOptions) {
  return (source: string, serviceIndex: number, line: string): string => {
    if (opts.json) return line
    const prefix = paint(
      opts.color,
      SERVICE_COLORS[serviceIndex % SERVICE_COLORS.length],
      source.padEnd(opts.width),
    )
    let record: unknown
    try {
      record = line.startsWith('{') ? JSON.parse(line) : undefined
    } catch {
      record = undefined
    }
    const body =
      record && typeof record === 'object'
        ? formatRecord(record as Record<string, unknown>, opts.color)
        : line
    return `${prefix} | ${body}`
  }
}

/** Appends each instance's raw lines to `<dir>/<instanceId>.log`, across restarts. */
export function createLogFiles(dir: string) {
  const files = new Map<string, WriteStream>()
  return {
    write(instanceId: string, line: string) {
      let file = files.get(instanceId)
      if (!file) {
        file = createWriteStream(join(dir, `${instanceId}.log`), { flags: 'a' })
        file.on('error', () => undefined)
        files.set(instanceId, file)
      }
      file.write(`${line}\n`)
    },
    async close() {
      await Promise.all([...files.values()].map((f) => new Promise((resolve) => f.end(resolve))))
      files.clear()
    },
  }
}
