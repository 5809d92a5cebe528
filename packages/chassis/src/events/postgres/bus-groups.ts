import type { Queryable } from '../../db.js'
import { MEMBER_SLOT_BASE, PARTITIONS } from './bus-schema.js'

// a transient group that lost its last member this long ago belonged to an instance that died
const ABANDONED_AFTER_S = 600

/** The group's id, creating it (at the start or at the end of the log) when it is new. */
export async function ensureGroup(
  q: Queryable,
  name: string,
  startAt: 'earliest' | 'latest',
  transient = false,
): Promise<number> {
  await q.query('insert into bus_groups (name, transient) values ($1, $2) on conflict (name) do nothing', [
    name,
    transient,
  ])
  const { rows } = await q.query<{ id: number }>('select id from bus_groups where name = $1', [name])
  const id = rows[0]!.id
  await q.query(
    `insert into bus_positions (group_id, partition, position)
     select $1, p, case when $2 then (select coalesce(max(seq), 0) from bus_events) else 0 end
       from generate_series(0, $3 - 1) p
     on conflict do nothing`,
    [id, startAt === 'latest', PARTITIONS],
  )
  return id
}

// no session holds a member lock of group g (the member slots start at $1)
const NO_LIVE_MEMBER = `not exists (
   select 1 from pg_locks l
    where l.locktype = 'advisory' and l.objsubid = 2 and l.classid::bigint = g.id and l.objid::bigint >= $1
      and l.database = (select oid from pg_database where datname = current_database()))`

/** Removes the transient groups of instances that died without stopping their subscriptions. */
export async function removeAbandonedGroups(q: Queryable): Promise<void> {
  await q.query(
    `delete from bus_groups g
      where transient and created_at < now() - make_interval(secs => $2) and ${NO_LIVE_MEMBER}`,
    [MEMBER_SLOT_BASE, ABANDONED_AFTER_S],
  )
}

/**
 * Removes the transient group of this name unless an instance holds it: what an earlier run of the same
 * instance left behind when it died. A transient group's state lived in that process, so it starts afresh.
 */
export async function removeLeftoverGroup(q: Queryable, name: string): Promise<void> {
  await q.query(`delete from bus_groups g where name = $2 and transient and ${NO_LIVE_MEMBER}`, [
    MEMBER_SLOT_BASE,
    name,
  ])
}

/** The member slots of the groups' live instances, by group: each holds its slot's advisory lock while its session lives. */
async function membersOf(q: Queryable, groupIds: readonly number[]): Promise<Map<number, number[]>> {
  const { rows } = await q.query<{ group_id: number; slot: number }>(
    `select classid::bigint as group_id, (objid::bigint - $2)::int as slot from pg_locks
      where locktype = 'advisory' and granted and objsubid = 2
        and database = (select oid from pg_database where datname = current_database())
        and classid::bigint = any($1::bigint[]) and objid::bigint >= $2
      order by 1, 2`,
    [groupIds, MEMBER_SLOT_BASE],
  )
  const members = new Map<number, number[]>(groupIds.map((id) => [id, []]))
  for (const row of rows) members.get(row.group_id)?.push(row.slot)
  return members
}

/** The member slots of the group's live instances. */
export async function liveMembers(q: Queryable, groupId: number): Promise<number[]> {
  return (await membersOf(q, [groupId])).get(groupId) ?? []
}

/** The live members of the groups a bus's subscriptions work in, for their rebalances. */
export interface Membership {
  /**
   * The member slots of the group, from a scan of pg_locks that began after `since` (a member passes the time
   * it took its own lock, so it finds itself) and is at most the membership's freshness old.
   */
  of(groupId: number, since: number): Promise<number[]>
  /** Leaves the group out of the scans from now on (a subscription of it stopped; another one asks it back in). */
  forget(groupId: number): void
}

/**
 * One scan of pg_locks for every group of a bus: pg_locks copies the server's whole lock table (0.5–1.3 ms of
 * the database's CPU here, more under load), and each subscription made its own scan every second. Scans
 * asked for while one is young enough share it, so a bus scans about once a period however many groups it has.
 */
export function createMembership(q: Queryable, freshMs: number, clock: () => number = Date.now): Membership {
  const groups = new Set<number>()
  let last: { at: number; groups: Set<number>; members: Promise<Map<number, number[]>> } | undefined

  return {
    async of(groupId, since) {
      groups.add(groupId)
      const now = clock()
      if (!last || last.at <= since || now - last.at > freshMs || !last.groups.has(groupId)) {
        const ids = [...groups]
        const current = { at: now, groups: new Set(ids), members: membersOf(q, ids) }
        last = current
        // a failed scan is not shared: the next asker scans again
        current.members.catch(() => {
          if (last === current) last = undefined
        })
      }
      return (await last.members).get(groupId) ?? []
    },
    forget(groupId) {
      groups.delete(groupId)
    },
  }
}
