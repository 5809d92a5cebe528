import type { EventStreams } from '@microshop/chassis'
import type { FastifyReply } from 'fastify'
import type { LogEntry } from '../domain/telemetry.js'

// a follower this far behind is cut off rather than buffered for without end
const MAX_BUFFERED_BYTES = 1024 * 1024

const frame = (entry: LogEntry) => `event: log\ndata: ${JSON.stringify(entry)}\n\n`

/** Turns a reply into a Server-Sent Events stream of log lines: `event: log` frames, a comment as heartbeat. */
export function openLogStream(
  streams: EventStreams,
  reply: FastifyReply,
  opts: { heartbeatMs: number; onClose: () => void },
): { send: (entry: LogEntry) => void } {
  // the headers go now, so a client sees the stream open before the first line
  const stream = streams.open(reply, { ...opts, greeting: 'following' })
  return {
    send(entry) {
      if (stream.closed) return
      if (stream.buffered > MAX_BUFFERED_BYTES) {
        stream.write(
          'event: overflow\ndata: {"reason":"lines arrived faster than this client read them"}\n\n',
        )
        stream.close()
        return
      }
      stream.write(frame(entry))
    },
  }
}
