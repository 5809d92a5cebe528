import type pg from 'pg'

interface Start {
  partition: number
  position: number
  resolve(): void
  reject(err: unknown): void
}

/**
 * The attempts a group started on events it has not finished, kept in the bus database: a consumer that
 * dies inside a handler leaves the count behind for the one that takes over. The starts of events that
 * begin together share one statement, sent through the bus's pool so that it does not queue behind the
 * session's fetches. Counts are forgotten on the session, one statement at a time, with the positions:
 * the two never touch the same rows at once, so they cannot deadlock.
 */
export function createAttemptLog(opts: { starts: pg.Pool; session: pg.ClientBase; groupIdOf: () => number }) {
  const { starts: startsDb, session, groupIdOf } = opts
  let starting: Start[] = []
  // finished, but maybe above the position stored next (an earlier event still runs): forgotten one by one
  let finished: Array<[partition: number, position: number]> = []
  let scheduled = false

  // several may be in flight at once: an event's next attempt starts only after its previous one was stored
  async function writeStarts() {
    scheduled = false
    const batch = starting
    starting = []
    try {
      await startsDb.query({
        name: 'bus-attempts-start',
        text: `insert into bus_attempts (group_id, partition, position, attempts)
         select $1, s.partition, s.position, 1 from unnest($2::int[], $3::bigint[]) as s(partition, position)
         on conflict (group_id, partition, position) do update set attempts = bus_attempts.attempts + 1`,
        values: [groupIdOf(), batch.map((s) => s.partition), batch.map((s) => s.position)],
      })
      for (const s of batch) s.resolve()
    } catch (err) {
      for (const s of batch) s.reject(err)
    }
  }

  return {
    /** Counts an attempt of the event; resolves once the count is stored, before the handler may run. */
    start(partition: number, position: number): Promise<void> {
      const stored = new Promise<void>((resolve, reject) =>
        starting.push({ partition, position, resolve, reject }),
      )
      if (!scheduled) {
        scheduled = true
        // after this turn of the event loop: the events dispatched with this one start in the same statement
        setImmediate(() => void writeStarts())
      }
      return stored
    },
    /** The event has its outcome: its count is forgotten with the next commit. */
    finish(partition: number, position: number) {
      finished.push([partition, position])
    },
    get hasFinished() {
      return finished.length > 0
    },
    /** Stores the group's positions and forgets the counts they cover and those of finished events. */
    async commit(partitions: number[], positions: number[]) {
      const done = finished
      finished = []
      await session.query({
        name: 'bus-commit',
        text: `with c as (select * from unnest($2::int[], $3::bigint[]) as c(partition, position)),
         forgotten as (
           delete from bus_attempts a
            where a.group_id = $1
              and (exists (select 1 from c where c.partition = a.partition and a.position <= c.position)
                   or (a.partition, a.position) in (select * from unnest($4::int[], $5::bigint[]))))
         update bus_positions p set position = c.position from c
          where p.group_id = $1 and p.partition = c.partition`,
        values: [groupIdOf(), partitions, positions, done.map(([p]) => p), done.map(([, at]) => at)],
      })
    },
  }
}

export type AttemptLog = ReturnType<typeof createAttemptLog>
