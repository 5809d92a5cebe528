/** A loopback port nobody listens on right now, below the ephemeral range (see the launcher's ports.ts). */
export { freePort } from '../packages/cli/src/ports.js'
