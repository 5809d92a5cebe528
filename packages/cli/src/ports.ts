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

/** A port nobody listens on right now, chosen by the kernel. */
export const freePort = () => listenOnce(0)

/** Whether something already listens on 127.0.0.1:port. */
export const isPortTaken = (port: number) =>
  listenOnce(port).then(
    () => false,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') return true
      throw err
    },
  )
