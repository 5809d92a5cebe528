import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

const listenOnce = (port: number) =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const address = server.address()
      const bound = typeof address === 'object' && address ? address.port : port
      server.close(() => resolve(bound))
    })
  })

const taken = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code
  return code === 'EADDRINUSE' || code === 'EACCES'
}

const LOWEST = 10_000

/** The first port of the kernel's ephemeral range (Linux's default where it cannot be read). */
export function ephemeralStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
    if (Number.isInteger(low) && low > 0) return low
  } catch {
    // not Linux: its own range starts higher (macOS: 49152)
  }
  return 32_768
}

/**
 * A port nobody listens on right now, below the kernel's ephemeral range. A port the kernel picks for
 * listen(0) is from the range it also gives outgoing connections, and any of a system's many connections (the
 * pools, the gRPC channels, the tests beside it) could hold it between this check and its use: a fresh-clone
 * run of the suite saw the console's port taken between the two, for all five of its restarts. A random port
 * below the range is taken only by someone who asked for it.
 */
export async function freePort(): Promise<number> {
  const top = ephemeralStart()
  if (top > LOWEST + 1_000)
    for (let attempt = 0; attempt < 100; attempt++) {
      const port = LOWEST + Math.floor(Math.random() * (top - LOWEST))
      try {
        return await listenOnce(port)
      } catch (err) {
        if (!taken(err)) throw err
      }
    }
  return listenOnce(0)
}

/** Whether something already listens on 127.0.0.1:port. */
export const isPortTaken = (port: number) =>
  listenOnce(port).then(
    () => false,
    (err: unknown) => {
      if (taken(err)) return true
      throw err
    },
  )
