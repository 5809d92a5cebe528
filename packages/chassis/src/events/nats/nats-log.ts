import { JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { natsTarget } from './nats-target.js'

/** An event in the log as an audit compares it: its id and type. */
export interface LoggedEvent {
  id: string
  type: string
}

/**
 * The id and type of each event of these types in the NATS log at `url`, oldest first, as it stands now: read
 * by an ordered consumer of headers only (no payloads), which the server removes once idle.
 */
export async function readNatsEvents(url: string, types: readonly string[]): Promise<LoggedEvent[]> {
  const { ns, connection, streams } = natsTarget(url)
  const nc = await connect({ ...connection, name: 'microshop-audit' })
  try {
    const jsm = await jetstreamManager(nc)
    const info = await jsm.streams.info(streams.events).catch((err) => {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return undefined
      throw err
    })
    if (!info || info.state.messages === 0) return []
    const last = info.state.last_seq
    const wanted = new Set(types)
    const found: LoggedEvent[] = []
    // one filter (NATS 2.9 allows no more), the types picked here
    const consumer = await jetstream(nc).consumers.get(streams.events, {
      filter_subjects: `${ns}.ev.>`,
      headers_only: true,
    })
    for (;;) {
      let seen = 0
      for await (const m of await consumer.fetch({ max_messages: 1_000, expires: 5_000 })) {
        seen++
        const type = m.headers?.get('ce-type') ?? ''
        if (wanted.has(type)) found.push({ id: m.headers?.get('ce-id') ?? '', type })
        if (m.seq >= last) return found
      }
      // what was there at the start has aged out of the stream since
      if (seen === 0) return found
    }
  } finally {
    await nc.close()
  }
}
