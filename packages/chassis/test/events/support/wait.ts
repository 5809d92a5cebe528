/** Polls until the check passes; fails with the message (and the last value seen) after timeoutMs. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  opts: { timeoutMs?: number; message: string },
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000)
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out: ${opts.message}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
