/** Runs tasks of one key one after another in push order, and tasks of different keys side by side. */
export function createKeyedQueue(concurrency: number) {
  const queues = new Map<string, Array<() => Promise<void>>>()
  const ready: string[] = []
  let running = 0
  let size = 0
  let idleWaiters: Array<() => void> = []

  const pump = () => {
    while (running < concurrency && ready.length > 0) {
      const key = ready.shift()!
      const queue = queues.get(key)!
      running++
      queue[0]!()
        .catch(() => undefined)
        .finally(() => {
          running--
          size--
          queue.shift()
          if (queue.length > 0) ready.push(key)
          else queues.delete(key)
          pump()
          if (size === 0) {
            for (const resolve of idleWaiters) resolve()
            idleWaiters = []
          }
        })
    }
  }

  return {
    push(key: string, task: () => Promise<void>) {
      size++
      const queue = queues.get(key)
      if (queue) queue.push(task)
      else {
        queues.set(key, [task])
        ready.push(key)
      }
      pump()
    },
    /** Tasks queued or running. */
    get size() {
      return size
    },
    /** Resolves when no task is queued or running. */
    idle(): Promise<void> {
      return size === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))
    },
  }
}
