import { CliError } from './cli-error.js'
import { isAlive } from './processes.js'
import { readState } from './state.js'

/** The console of the system the launcher runs from this data dir, as its state file names it. */
export function consoleUrlOf(dataDir: string): string {
  const state = readState(dataDir)
  if (!state || !isAlive(state.launcherPid))
    throw new CliError(`microshop is not running from ${dataDir}: start it with \`npm start\` first`)
  if (!state.consoleUrl)
    throw new CliError(
      'this system runs without a console (its topology has none): nothing gathers traces or logs',
    )
  return state.consoleUrl.replace(/\/$/, '')
}

export type QueryParams = Record<string, string | number | boolean | undefined>

/** `/api/logs?service=catalog&level=warn`, without the parameters that were not given. */
export function pathWith(path: string, params: QueryParams): string {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, String(value))
  const text = query.toString()
  return text ? `${path}?${text}` : path
}

/** A request to the console; what goes wrong comes back as a CliError that says where and why. */
export async function askConsole(base: string, path: string, init: { signal?: AbortSignal } = {}) {
  let res: Response
  try {
    res = await fetch(`${base}${path}`, { signal: init.signal ?? AbortSignal.timeout(10_000) })
  } catch (err) {
    if (init.signal?.aborted) throw err
    const why = (err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message
    throw new CliError(
      `the console at ${base} does not answer (${why}): see \`npx microshop status\` (is it still starting?)`,
    )
  }
  if (!res.ok) {
    const problem = (await res.json().catch(() => undefined)) as { detail?: string } | undefined
    throw new CliError(`the console answered ${res.status}: ${problem?.detail ?? res.statusText}`)
  }
  return res
}

/** A JSON answer of the console's query API. */
export async function getFromConsole<T>(base: string, path: string): Promise<T> {
  return (await (await askConsole(base, path)).json()) as T
}
