import { type LogFilter, logMatches } from '../domain/logs.js'
import type { LogEntry } from '../domain/telemetry.js'

type Follower = { filter: LogFilter; send: (entry: LogEntry) => void }

/** Hands each newly received log line to the live followers whose filter it matches, in this process. */
export function createLogFeed() {
  const followers = new Set<Follower>()
  return {
    /** Follows the lines that match `filter`; returns the function that stops following. */
    follow(filter: LogFilter, send: (entry: LogEntry) => void): () => void {
      const follower = { filter, send }
      followers.add(follower)
      return () => void followers.delete(follower)
    },

    publish(entries: readonly LogEntry[]): void {
      if (followers.size === 0) return
      for (const entry of entries)
        for (const follower of followers)
          if (logMatches(follower.filter, entry))
            try {
              follower.send(entry)
            } catch {
              // a follower whose socket broke unfollows on the socket's own close event
            }
    },

    get followers() {
      return followers.size
    },
  }
}

export type LogFeed = ReturnType<typeof createLogFeed>
