import { usageError } from '../cli-error.js'
import { type Command, dataDirOption, parseFlags, resolveDataDir } from '../command.js'
import { consoleUrlOf, getFromConsole, pathWith } from '../console-client.js'
import { renderTraceTree, type WholeTrace } from '../trace-tree.js'

const options = {
  ...dataDirOption,
  order: { type: 'string' },
  service: { type: 'string' },
  errors: { type: 'boolean' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const

interface TraceSummary {
  traceId: string
  startMs: number
}

function parseLimit(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 1_000) throw usageError(`bad --limit "${value}": expected 1-1000`)
  return n
}

/** The whole traces that match, from the console; with an order, oldest first (the saga in its order). */
export async function findTraces(
  consoleUrl: string,
  filter: { orderId?: string; service?: string; errorsOnly?: boolean; limit: number },
): Promise<WholeTrace[]> {
  const { items } = await getFromConsole<{ items: TraceSummary[] }>(
    consoleUrl,
    pathWith('/api/traces', {
      orderId: filter.orderId,
      service: filter.service,
      error: filter.errorsOnly ? true : undefined,
      limit: filter.limit,
    }),
  )
  const listed = filter.orderId ? [...items].sort((a, b) => a.startMs - b.startMs) : items
  return Promise.all(
    listed.map((t) => getFromConsole<WholeTrace>(consoleUrl, `/api/traces/${encodeURIComponent(t.traceId)}`)),
  )
}

async function run(args: string[]): Promise<number> {
  const { values } = parseFlags(args, options)
  if (values.help) {
    process.stdout.write(`${traces.usage}\n`)
    return 0
  }
  const filter = {
    orderId: values.order,
    service: values.service,
    errorsOnly: values.errors === true,
    limit: parseLimit(values.limit, values.order ? 20 : 10),
  }
  const consoleUrl = consoleUrlOf(resolveDataDir(values['data-dir']))
  const found = await findTraces(consoleUrl, filter)
  if (values.json) process.stdout.write(`${JSON.stringify(found, null, 2)}\n`)
  else if (found.length === 0) {
    const what = filter.orderId ? `with order.id ${filter.orderId}` : 'that match'
    process.stderr.write(`no traces ${what} (spans reach the console about a second after the work)\n`)
  } else {
    const color = process.stdout.isTTY === true
    process.stdout.write(`${found.map((t) => renderTraceTree(t, { color })).join('\n\n')}\n`)
  }
  return found.length > 0 ? 0 : 1
}

export const traces: Command = {
  summary: 'show recent traces from the console as trees (by order, service, or errors)',
  usage: `usage: microshop traces [--order <id> | --service <name> | --errors] [--limit <n>] [--json]

  --order <id>       the traces holding a span about this order (attribute order.id), oldest first
  --service <name>   traces with a span of this service
  --errors           traces with a failed span
  --limit <n>        at most this many traces (default 10, 20 with --order)
  --json             the whole traces (summary and spans) as JSON
  --data-dir <dir>   the running system's data dir (default .microshop)

  exits 1 when no trace matches`,
  run,
}
