import { usageError } from '../cli-error.js'
import { type Command, dataDirOption, parseFlags, resolveDataDir } from '../command.js'
import { askConsole, consoleUrlOf, getFromConsole, pathWith, type QueryParams } from '../console-client.js'
import { createLogFormatter, prefixWidth } from '../log-stream.js'
import { topology } from '../topology.js'

const options = {
  ...dataDirOption,
  trace: { type: 'string' },
  service: { type: 'string' },
  level: { type: 'string' },
  text: { type: 'string' },
  limit: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  json: { type: 'boolean' },
} as const

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal']
const PINO_LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 }

/** A log line as the console keeps it. */
export interface ConsoleLogEntry {
  timeMs: number
  service: string
  instance: string | null
  level: string
  message: string
  attributes: Record<string, unknown>
  traceId: string | null
  spanId: string | null
}

/** The console's query for these flags, checked here so a mistake is a usage error. */
function queryOf(values: {
  trace?: string
  service?: string
  level?: string
  text?: string
  limit?: string
}) {
  if (values.trace !== undefined && !/^[0-9a-f]{32}$/i.test(values.trace))
    throw usageError(`bad --trace "${values.trace}": expected a trace id (32 hex characters)`)
  const level = values.level?.toLowerCase()
  if (level !== undefined && !LEVELS.includes(level))
    throw usageError(`bad --level "${values.level}": expected one of ${LEVELS.join(', ')}`)
  const limit = values.limit === undefined ? undefined : Number(values.limit)
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1_000))
    throw usageError(`bad --limit "${values.limit}": expected 1-1000`)
  return { traceId: values.trace?.toLowerCase(), service: values.service, level, q: values.text, limit }
}

/** The recent lines that match, oldest first. */
export async function findLogs(consoleUrl: string, query: QueryParams): Promise<ConsoleLogEntry[]> {
  const { items } = await getFromConsole<{ items: ConsoleLogEntry[] }>(
    consoleUrl,
    pathWith('/api/logs', query),
  )
  return items
}

/** A field as the service logged it: an error or an object arrives over OTLP as its JSON text. */
function revived(value: unknown): unknown {
  if (typeof value !== 'string' || !value.startsWith('{')) return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

/** A console line in the launcher's own format: `catalog-1 | 19:40:01.123 INFO  msg key=value`. */
function createPrinter(json: boolean) {
  const format = createLogFormatter({
    color: process.stdout.isTTY === true,
    json: false,
    width: prefixWidth(topology.map((s) => `${s.name}-1`)),
  })
  return (entry: ConsoleLogEntry) => {
    if (json) return void process.stdout.write(`${JSON.stringify(entry)}\n`)
    const record = {
      ...Object.fromEntries(Object.entries(entry.attributes).map(([k, v]) => [k, revived(v)])),
      time: entry.timeMs,
      level: PINO_LEVELS[entry.level] ?? 30,
      msg: entry.message,
      ...(entry.traceId ? { trace_id: entry.traceId } : {}),
    }
    const service = topology.findIndex((s) => s.name === entry.service)
    process.stdout.write(`${format(entry.instance ?? entry.service, service, JSON.stringify(record))}\n`)
  }
}

/** Prints the recent lines, then each new one as it arrives, until Ctrl-C or the console goes away. */
async function follow(consoleUrl: string, query: QueryParams, print: (entry: ConsoleLogEntry) => void) {
  const stop = new AbortController()
  const onSignal = () => stop.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const res = await askConsole(consoleUrl, pathWith('/api/logs', { ...query, follow: 1 }), {
      signal: stop.signal,
    })
    const decoder = new TextDecoder()
    let buffered = ''
    for await (const chunk of res.body ?? []) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true })
      let end = buffered.indexOf('\n\n')
      while (end >= 0) {
        const frame = buffered.slice(0, end)
        buffered = buffered.slice(end + 2)
        const event = /^event: (.*)$/m.exec(frame)?.[1]
        const data = /^data: (.*)$/m.exec(frame)?.[1]
        if (event === 'log' && data) print(JSON.parse(data) as ConsoleLogEntry)
        else if (event === 'overflow') {
          process.stderr.write(
            'microshop logs: the console cut the stream off: lines came faster than shown\n',
          )
          return 1
        }
        end = buffered.indexOf('\n\n')
      }
    }
    process.stderr.write('microshop logs: the console closed the stream (it stopped?)\n')
    return 1
  } catch (err) {
    if (stop.signal.aborted) return 0
    throw err
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

async function run(args: string[]): Promise<number> {
  const { values } = parseFlags(args, options)
  if (values.help) {
    process.stdout.write(`${logs.usage}\n`)
    return 0
  }
  const query = queryOf(values)
  const consoleUrl = consoleUrlOf(resolveDataDir(values['data-dir']))
  const print = createPrinter(values.json === true)
  if (values.follow) return follow(consoleUrl, query, print)
  const found = await findLogs(consoleUrl, query)
  for (const entry of found) print(entry)
  if (found.length === 0 && !values.json) process.stderr.write('no log lines match\n')
  return 0
}

export const logs: Command = {
  summary: 'show recent log lines of every instance from the console; --follow for live ones',
  usage: `usage: microshop logs [--trace <id>] [--service <name>] [--level <level>] [--text <words>] [--follow] [--json]

  --trace <id>       the lines written inside this trace
  --service <name>   the lines of this service's instances
  --level <level>    this level and above: trace, debug, info, warn, error, fatal
  --text <words>     the lines whose message or a field contains this (any case)
  --limit <n>        the latest n lines (default 100)
  --follow, -f       then each new line as it comes, until Ctrl-C
  --json             one JSON object per line, as the console keeps it
  --data-dir <dir>   the running system's data dir (default .microshop)`,
  run,
}
