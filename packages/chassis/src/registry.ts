// What the launcher's commands need of the registry and the databases, without the rest of the chassis:
// `microshop status` and `audit` start in a fraction of the time `./internal` takes to load.

export type { ServiceRole } from './access.js'
export { ownedEventTypes, secureBus, secureRegistry } from './access.js'
export { withConnection } from './db.js'
export type { Instance } from './discovery.js'
export { HEARTBEAT_MS, listInstances, REGISTRY_DDL, TTL_SECONDS } from './discovery.js'
export { keepHeapSnug } from './heap.js'
