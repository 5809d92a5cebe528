import { pageTokens } from '@microshop/chassis/paging'

/** Where a page of a newest-first list continues: below this (created_at, id). */
export interface PageCursor {
  createdAt: string
  id: string
}

const UUID = /^[0-9a-f-]{36}$/

/** ListOrders' page tokens: `k1.` + base64url of `createdAt|id`, as issued before. */
export const orderPageTokens = pageTokens<PageCursor>({
  prefix: 'k1.',
  write: (cursor) => `${cursor.createdAt}|${cursor.id}`,
  read(text) {
    const [createdAt, id, ...rest] = text.split('|')
    if (rest.length > 0 || !createdAt || !id || Number.isNaN(Date.parse(createdAt))) return undefined
    return UUID.test(id) ? { createdAt, id } : undefined
  },
})
