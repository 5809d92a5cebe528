import { describe } from 'vitest'
import { busContract } from './support/bus-contract.js'
import { natsHarness } from './support/harness.js'

const natsUrl = process.env.NATS_URL

const title = natsUrl
  ? 'event bus contract on nats'
  : 'event bus contract on nats (skipped: NATS_URL is not set)'

describe.skipIf(!natsUrl)(title, () => {
  busContract(natsHarness(natsUrl!))
})
