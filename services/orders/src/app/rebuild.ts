import type { Db } from '@microshop/chassis'
import { evolve, type Order } from '../domain/order.js'
import { eventStore } from '../store/event-store.js'
import { projectEvent, readModel } from '../store/read-model.js'

/**
 * Rebuilds the read models from nothing: empties them and replays the whole event store through the projector,
 * in one transaction (live writers wait for it). Returns how many events it replayed.
 */
export async function rebuildReadModels(db: Db): Promise<number> {
  return db.tx(async (tx) => {
    await readModel.truncate(tx)
    let count = 0
    let current: { id: string; order: Order | undefined } = { id: '', order: undefined }
    for await (const { streamId, event } of eventStore.readAll(tx)) {
      if (streamId !== current.id) current = { id: streamId, order: undefined }
      const next = evolve(current.order, event)
      await projectEvent(tx, current.order, event, next)
      current.order = next
      count++
    }
    return count
  })
}
