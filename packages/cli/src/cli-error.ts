/** An error the user can act on: printed without a stack, and the process exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/** Bad flags or arguments: exit code 2, like other command-line tools. */
export const usageError = (message: string) => new CliError(message, 2)
