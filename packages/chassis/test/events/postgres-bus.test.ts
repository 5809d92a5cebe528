import { describe } from 'vitest'
import { busContract } from './support/bus-contract.js'
import { postgresHarness } from './support/harness.js'

describe('event bus contract on postgres', () => {
  busContract(postgresHarness())
})
