import { resolve } from 'node:path'
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { usageError } from './cli-error.js'

/** One `microshop <name>` command. */
export interface Command {
  summary: string
  usage: string
  /** Runs the command; resolves with the exit code. */
  run(args: string[]): Promise<number>
}

type Options = NonNullable<ParseArgsConfig['options']>

export const dataDirOption = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options

type Strict<O extends Options> = { args: string[]; options: O; strict: true; allowPositionals: false }

/** parseArgs, strict, with bad flags turned into a usage error (exit 2). */
export function parseFlags<O extends Options>(
  args: string[],
  options: O,
): ReturnType<typeof parseArgs<Strict<O>>> {
  try {
    return parseArgs<Strict<O>>({ args, options, strict: true, allowPositionals: false })
  } catch (err) {
    throw usageError((err as Error).message)
  }
}

/** The data dir: `--data-dir`, else `.microshop` in the current directory. */
export const resolveDataDir = (value: string | undefined) => resolve(value ?? '.microshop')
