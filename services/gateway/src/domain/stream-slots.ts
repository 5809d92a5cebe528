/** Why a stream was refused a slot. */
export type SlotRefusal = 'user' | 'total'

/** Counts open streams per user and in all; a stream takes a slot to open and gives it back once. */
export function createStreamSlots(limits: { perUser: number; total: number }) {
  const perUser = new Map<string, number>()
  let total = 0
  return {
    /** A slot for `userId`'s new stream and the function that frees it, or why there is none. */
    take(userId: string): { release: () => void } | { refused: SlotRefusal } {
      const mine = perUser.get(userId) ?? 0
      if (mine >= limits.perUser) return { refused: 'user' }
      if (total >= limits.total) return { refused: 'total' }
      perUser.set(userId, mine + 1)
      total++
      let released = false
      return {
        release: () => {
          if (released) return
          released = true
          total--
          const left = (perUser.get(userId) ?? 1) - 1
          if (left > 0) perUser.set(userId, left)
          else perUser.delete(userId)
        },
      }
    },
    get open() {
      return total
    },
  }
}

export type StreamSlots = ReturnType<typeof createStreamSlots>
