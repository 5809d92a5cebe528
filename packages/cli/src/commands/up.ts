import { keepHeapSnug } from '@microshop/chassis/registry'
import { usageError } from '../cli-error.js'
import { type Command, dataDirOption, parseFlags, resolveDataDir } from '../command.js'
import { renderInstances, renderUrls } from '../instance-table.js'
import { createLogFormatter, prefixWidth } from '../log-stream.js'
import { NotReadyError } from '../supervisor.js'
import { startSystem } from '../system.js'
import { applyOverrides, CONSOLE, GATEWAY, loadTopology, parseReplicas } from '../topology.js'

const options = {
  ...dataDirOption,
  replicas: { type: 'string' },
  port: { type: 'string' },
  'console-port': { type: 'string' },
  json: { type: 'boolean' },
  topology: { type: 'string' },
  'in-process': { type: 'boolean' },
} as const

/** The same signal twice within this window is one Ctrl-C: npm forwards to us what the terminal already sent. */
const SAME_PRESS_MS = 1_000

/** The public ports asked for, by service: `--port` for the gateway, `--console-port` for the console. */
function publicPorts(values: { port?: string; 'console-port'?: string }): Map<string, number> {
  const ports = new Map<string, number>()
  const asked = [
    [GATEWAY, '--port', values.port ?? process.env.MICROSHOP_PORT],
    [CONSOLE, '--console-port', values['console-port'] ?? process.env.MICROSHOP_CONSOLE_PORT],
  ] as const
  for (const [service, flag, value] of asked) {
    if (value === undefined || value === '') continue
    const port = Number(value)
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw usageError(`bad ${flag} "${value}": expected a port from 1 to 65535`)
    ports.set(service, port)
  }
  const [gatewayPort, consolePort] = [ports.get(GATEWAY), ports.get(CONSOLE)]
  if (gatewayPort !== undefined && gatewayPort === consolePort)
    throw usageError(`the gateway and the console cannot both listen on port ${gatewayPort}`)
  return ports
}

async function run(args: string[]): Promise<number> {
  const { values } = parseFlags(args, options)
  if (values.help) {
    process.stdout.write(`${up.usage}\n`)
    return 0
  }
  // the launcher lives as long as the system: its heap kept as close as each service's
  keepHeapSnug()
  const dataDir = resolveDataDir(values['data-dir'])
  const topology = loadTopology(values.topology)
  const replicas = parseReplicas(values.replicas ?? process.env.MICROSHOP_REPLICAS ?? '', topology)
  const services = applyOverrides(topology, { replicas, publicPorts: publicPorts(values) })

  const json = values.json === true
  const color = !json && process.stdout.isTTY === true
  const width = prefixWidth(services.map((s) => `${s.name}-${s.replicas}`))
  // with --json, stdout carries only the services' own lines; the launcher talks on stderr
  const info = json ? process.stderr : process.stdout
  const say = (text: string) => void info.write(`${text}\n`)
  const label = color ? `\x1b[1m${'microshop'.padEnd(width)}\x1b[0m` : 'microshop'.padEnd(width)
  const report = (line: string) => say(`${label} | ${line}`)
  const format = createLogFormatter({ color, json: false, width })
  process.stdout.on('error', () => undefined)

  const stopRequested = new AbortController()
  const forced = new AbortController()
  let firstSignalAt = 0
  const onSignal = (sig: NodeJS.Signals) => {
    if (!stopRequested.signal.aborted) {
      firstSignalAt = Date.now()
      report(`${sig}: stopping… (Ctrl-C again to force)`)
      stopRequested.abort(new Error(sig))
    } else if (Date.now() - firstSignalAt > SAME_PRESS_MS && !forced.signal.aborted) {
      report('forcing stop')
      forced.abort()
    }
  }
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal)
  const exitCode = () => (forced.signal.aborted ? 130 : 0)

  let system: Awaited<ReturnType<typeof startSystem>>
  try {
    system = await startSystem({
      dataDir,
      services,
      report,
      print: (line) => void process.stdout.write(`${line}\n`),
      color,
      json,
      prefixWidth: width,
      logLevel: process.env.LOG_LEVEL ?? 'info',
      inProcess: values['in-process'] === true,
      signal: stopRequested.signal,
    })
  } catch (err) {
    if (stopRequested.signal.aborted) {
      report('stopped')
      return exitCode()
    }
    if (err instanceof NotReadyError) {
      for (const instance of err.instances) {
        report(`${instance.id} ${instance.why}; its last lines:`)
        const serviceIndex = services.findIndex((s) => instance.id.startsWith(`${s.name}-`))
        for (const line of instance.lines) say(format(instance.id, serviceIndex, line))
      }
      report('stopped everything')
      return 1
    }
    throw err
  }

  say('')
  say(renderInstances(system.instances().map((instance) => ({ instance, health: instance.status }))))
  say('')
  const urls = renderUrls(system)
  if (urls) say(`${urls}\n`)
  say('Ctrl-C to stop')
  say('')

  const stopped = new Promise<'signal'>((resolve) =>
    stopRequested.signal.addEventListener('abort', () => resolve('signal'), { once: true }),
  )
  const why = await Promise.race([stopped, system.postgresExited.then(() => 'postgres' as const)])
  if (why === 'postgres') report('PostgreSQL exited unexpectedly: stopping everything')
  await system.stop(forced.signal)
  report('stopped')
  return why === 'postgres' ? 1 : exitCode()
}

export const up: Command = {
  summary: 'start PostgreSQL and every service, stream their logs; Ctrl-C stops all',
  usage: `usage: microshop up [options]

  --data-dir <dir>     where data, logs and state live (default .microshop)
  --replicas <list>    instances per service, e.g. catalog=2,gateway=1 (env MICROSHOP_REPLICAS)
  --port <n>           the gateway's public port (default 8080, env MICROSHOP_PORT)
  --console-port <n>   the console's port: traces, logs, Prometheus discovery (default 8081,
                       env MICROSHOP_CONSOLE_PORT); services export to it unless
                       OTEL_EXPORTER_OTLP_ENDPOINT is set
  --json               print the services' raw JSON log lines (launcher messages go to stderr)
  --in-process         run every service in this one Node process from the same code: peers are
                       called through the same typed clients without the network (no gRPC port);
                       events still go through each outbox and the event log`,
  run,
}
