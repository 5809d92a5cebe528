import { AuthErrors, clampPageSize, type Db, type Principal } from '@microshop/chassis'
import { NotificationsErrors } from '../domain/errors.js'
import { messageTokens } from '../domain/paging.js'
import type { MessageStore, StoredMessage } from '../store/message-store.js'

export interface MessageQuery {
  userId: string
  orderId: string
  pageSize: number
  pageToken: string
}

/** The mailbox view: a customer reads their own messages; an admin may read anyone's. */
export function createMailbox(deps: { db: Db; store: MessageStore; maxPageSize: number }) {
  return {
    async list(
      caller: Principal,
      q: MessageQuery,
    ): Promise<{ messages: StoredMessage[]; nextPageToken: string }> {
      const isAdmin = caller.roles.includes('admin')
      if (q.userId && q.userId !== caller.userId && !isAdmin) throw AuthErrors.forbidden('admin')
      const start = messageTokens.decode(q.pageToken)
      if (!start) throw NotificationsErrors.invalidPageToken()
      const limit = clampPageSize(q.pageSize, deps.maxPageSize)
      const messages = await deps.store.list(deps.db, {
        userId: q.userId || caller.userId,
        orderId: q.orderId || undefined,
        beforeSeq: start.after,
        limit: limit + 1,
      })
      const page = messages.slice(0, limit)
      const last = page.at(-1)
      return {
        messages: page,
        nextPageToken: messages.length > limit && last ? messageTokens.encode(last.seq) : '',
      }
    },
  }
}

export type Mailbox = ReturnType<typeof createMailbox>
