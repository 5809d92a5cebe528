/**
 * Every PostgreSQL advisory lock id the system takes, in one place so that no two mean the same number.
 * Single-key locks use the bigint form; `relay` is the first key of the two-int form (key, 0).
 */
export const advisoryLocks = {
  /** Migrations of a service's own database (each service has its own database: they never contend). */
  migrations: 7_305_417_001,
  /** Creating the registry table in the platform database. */
  registry: 7_305_417_002,
  /** Creating the event log's tables in the bus database. */
  busSchema: 7_305_417_101,
  /** Appending to the event log: positions are handed out in commit order. */
  busAppend: 7_305_417_102,
  /** Pruning the event log past its retention. */
  busPrune: 7_305_417_103,
  /** Creating the outbox and inbox tables in a service's database. */
  eventTables: 7_305_417_201,
  /** Identity: making or rotating the signing key. */
  identitySigningKeys: 7_305_417_301,
  /** Inventory: seeding the opening stock once, whichever replica gets there first. */
  inventorySeed: 7_305_417_302,
  /** (relay, 0) in the two-int space of a service's database: held by the outbox relay that sends. */
  relay: 730_541_701,
} as const
