import { type Command, dataDirOption, parseFlags, resolveDataDir } from '../command.js'
import { stopLeftoverPostgres } from '../postgres.js'
import { isAlive, signal, waitForExit } from '../processes.js'
import { readState, removeState } from '../state.js'

/** Services get 10 s, PostgreSQL up to 25 s: past this the launcher is stuck. */
const STOP_TIMEOUT_MS = 40_000

async function run(args: string[]): Promise<number> {
  const { values } = parseFlags(args, dataDirOption)
  if (values.help) {
    process.stdout.write(`${down.usage}\n`)
    return 0
  }
  const dataDir = resolveDataDir(values['data-dir'])
  const say = (text: string) => void process.stdout.write(`${text}\n`)
  const state = readState(dataDir)
  if (!state || !isAlive(state.launcherPid)) {
    // a launcher killed with SIGKILL could not stop its PostgreSQL
    if (!(await stopLeftoverPostgres(dataDir, say))) say('microshop is not running')
    await removeState(dataDir)
    return 0
  }
  say(`stopping microshop (launcher pid ${state.launcherPid})…`)
  const started = Date.now()
  signal(state.launcherPid, 'SIGTERM')
  if (!(await waitForExit(state.launcherPid, STOP_TIMEOUT_MS))) {
    say(`the launcher is still running after ${STOP_TIMEOUT_MS / 1000} s`)
    return 1
  }
  say(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return 0
}

export const down: Command = {
  summary: 'stop a running microshop (services first, then PostgreSQL)',
  usage: 'usage: microshop down [--data-dir <dir>]',
  run,
}
