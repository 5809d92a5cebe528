/**
 * Handlers run side by side, except an event suspected of taking its process down: that one runs alone,
 * so that when it does, no other event dies with it and has an attempt counted against it. First come,
 * first served: once a suspect waits, the events after it wait too, and it is not starved.
 */
export function createIsolation() {
  let running = 0
  let alone = false
  const waiting: Array<{ alone: boolean; grant(): void }> = []

  const admit = () => {
    while (waiting.length > 0) {
      const next = waiting[0]!
      if (alone || (next.alone && running > 0)) return
      waiting.shift()
      running++
      alone = next.alone
      next.grant()
    }
  }

  const enter = (asSuspect: boolean) =>
    new Promise<() => void>((resolve) => {
      let left = false
      const leave = () => {
        if (left) return
        left = true
        running--
        alone = false
        admit()
      }
      waiting.push({ alone: asSuspect, grant: () => resolve(leave) })
      admit()
    })

  return {
    /** Waits for a turn beside the others; resolves with the function that ends it. */
    together: () => enter(false),
    /** Waits until nothing else runs; nothing else starts until the function it resolves with is called. */
    alone: () => enter(true),
  }
}

export type Isolation = ReturnType<typeof createIsolation>
