import { CliError } from './cli-error.js'
import type { Command } from './command.js'
import { audit } from './commands/audit.js'
import { deploy } from './commands/deploy.js'
import { down } from './commands/down.js'
import { logs } from './commands/logs.js'
import { status } from './commands/status.js'
import { traces } from './commands/traces.js'
import { up } from './commands/up.js'

const commands: Record<string, Command> = { up, status, down, traces, logs, audit, deploy }

const usage = () =>
  [
    'usage: microshop <command> [options]',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`),
    `  ${'help'.padEnd(8)} show this, or \`microshop <command> --help\` for one command`,
  ].join('\n')

/** Runs `microshop <command> ...args`; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${usage()}\n`)
    return 0
  }
  const command = commands[name]
  if (!command) {
    process.stderr.write(`microshop: unknown command "${name}"\n\n${usage()}\n`)
    return 2
  }
  try {
    return await command.run(args)
  } catch (err) {
    if (!(err instanceof CliError)) throw err
    process.stderr.write(`microshop ${name}: ${err.message}\n`)
    if (err.exitCode === 2) process.stderr.write(`\n${command.usage}\n`)
    return err.exitCode
  }
}
