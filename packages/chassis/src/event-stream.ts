import type { OutgoingHttpHeaders } from 'node:http'
import type { FastifyInstance, FastifyReply } from 'fastify'

/** One open Server-Sent Events response. */
export interface EventStream {
  /** Writes one frame (`event: …\ndata: …\n\n`); false once the stream is closed. */
  write(frame: string): boolean
  /** Ends the response (idempotent); onClose runs once, whoever closes. */
  close(): void
  readonly closed: boolean
  /** Bytes written and not yet taken by the client: a slow reader shows here. */
  readonly buffered: number
}

/**
 * The streams an app holds open: each one ends when the app closes, so a shutdown never waits for a client
 * that keeps reading.
 */
export function eventStreams(app: FastifyInstance) {
  const open = new Set<EventStream>()
  app.addHook('preClose', async () => {
    for (const stream of [...open]) stream.close()
  })
  return {
    /**
     * Takes over the reply as a Server-Sent Events stream: headers (the reply's own, CORS and request id
     * included) go at once, a comment every heartbeatMs keeps proxies from timing it out.
     */
    open(
      reply: FastifyReply,
      opts: { heartbeatMs: number; onClose?: () => void; greeting?: string },
    ): EventStream {
      reply.hijack()
      const res = reply.raw
      res.writeHead(200, {
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      if (opts.greeting) res.write(`: ${opts.greeting}\n\n`)
      let closed = false
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), opts.heartbeatMs)
      const stream: EventStream = {
        write(frame) {
          if (closed) return false
          res.write(frame)
          return true
        },
        close() {
          if (closed) return
          closed = true
          clearInterval(heartbeat)
          open.delete(stream)
          opts.onClose?.()
          res.end()
        },
        get closed() {
          return closed
        },
        get buffered() {
          return res.writableLength
        },
      }
      open.add(stream)
      res.on('close', () => stream.close())
      return stream
    },
  }
}

export type EventStreams = ReturnType<typeof eventStreams>
