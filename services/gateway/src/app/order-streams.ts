import { isFinalStatus, type OrderStatusName } from './order-status.js'

/** One status change of an order, as its live stream sends it. */
export interface StatusEvent {
  orderId: string
  status: OrderStatusName
  reason: string
  at: string
  /** The order's event-stream version after the change (0 when unknown). */
  version: number
}

export type StatusListener = (event: StatusEvent) => void

/** Fans status changes out to the open streams of each order, in this process. */
export function createOrderStreams() {
  const watchers = new Map<string, Set<StatusListener>>()
  return {
    /** Listens to one order's changes; returns the function that stops listening. */
    watch(orderId: string, listener: StatusListener): () => void {
      let set = watchers.get(orderId)
      if (!set) {
        set = new Set()
        watchers.set(orderId, set)
      }
      set.add(listener)
      return () => {
        set.delete(listener)
        if (set.size === 0 && watchers.get(orderId) === set) watchers.delete(orderId)
      }
    },

    /** Hands a change to every stream of its order; a listener that throws does not stop the others. */
    publish(event: StatusEvent): number {
      const set = watchers.get(event.orderId)
      if (!set) return 0
      for (const listener of [...set])
        try {
          listener(event)
        } catch {
          // a stream whose socket broke closes itself on the socket's own close event
        }
      return set.size
    },

    /** Orders with at least one open stream. */
    get watchedOrders() {
      return watchers.size
    },
  }
}

export type OrderStreams = ReturnType<typeof createOrderStreams>

/**
 * Decides what a stream sends: changes in version order, each at most once, none after a terminal one
 * (the first event is the status the order was read in; changes seen while reading it may repeat it).
 */
export function createStreamCursor() {
  let lastVersion = 0
  let lastStatus: OrderStatusName | undefined
  let ended = false
  return {
    accept(event: StatusEvent): boolean {
      if (ended) return false
      if (event.version > 0 && event.version <= lastVersion) return false
      if (event.status === lastStatus) return false
      lastVersion = Math.max(lastVersion, event.version)
      lastStatus = event.status
      ended = isFinalStatus(event.status)
      return true
    },
    get ended() {
      return ended
    },
  }
}
