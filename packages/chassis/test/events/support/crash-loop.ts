import { expect } from 'vitest'
import type { DeadLetter, EventBus } from '../../../src/internal.js'
import { waitFor } from '../../../src/testing.js'
import { type Child, hasEnded } from './child-process.js'

/**
 * Starts the consumer child again each time it dies, until the group has a dead letter; answers the letters
 * and how often the child died. Fails as soon as it died more than maxDeaths times.
 */
export async function restartUntilDeadLetter(opts: {
  bus: EventBus
  group: string
  child: Child
  restart: () => Child
  maxDeaths: number
}): Promise<{ letters: DeadLetter[]; deaths: number }> {
  let { child } = opts
  for (let deaths = 0; ; deaths++) {
    const seen = await waitFor(
      async () => {
        if (hasEnded(child)) return 'died'
        const letters = await opts.bus.deadLetters(opts.group)
        return letters.length > 0 ? letters : undefined
      },
      // a child takes seconds to start on a busy machine
      { what: `the consumer to die or a dead letter (after ${deaths} deaths)`, timeoutMs: 30_000 },
    )
    if (seen !== 'died') return { letters: seen, deaths }
    expect(deaths + 1, 'deaths before the event went to the dead letters').toBeLessThanOrEqual(opts.maxDeaths)
    child = opts.restart()
  }
}
