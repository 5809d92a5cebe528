import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { ephemeralStart, freePort, isPortTaken } from './ports.js'

const listen = (port: number) =>
  new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port }, () => resolve(server))
  })

describe('free ports', () => {
  it('when a free port is asked for, then it is one below the ephemeral range, which can be listened on', async () => {
    const port = await freePort()
    expect(port).toBeGreaterThanOrEqual(10_000)
    expect(port).toBeLessThan(ephemeralStart())
    const server = await listen(port)
    server.close()
  })

  it('when something listens on a port, then it is taken, and free again once closed', async () => {
    const port = await freePort()
    const server = await listen(port)
    expect(await isPortTaken(port)).toBe(true)
    await new Promise((resolve) => server.close(resolve))
    expect(await isPortTaken(port)).toBe(false)
  })
})
