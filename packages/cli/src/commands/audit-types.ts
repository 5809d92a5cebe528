import type pg from 'pg'

/** One broken invariant, with the ids a person needs to look it up. */
export interface Violation {
  check: string
  ids: string
  detail: string
}

/** Opens a read-only connection to one database of the system. */
export type Connect = (database: string) => Promise<pg.Client>

/** The id and type of each event of these types in the system's event log; undefined when it cannot be read. */
export type ReadLog = (types: readonly string[]) => Promise<{ id: string; type: string }[] | undefined>
