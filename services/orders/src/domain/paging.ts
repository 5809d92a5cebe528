/** Page size as asked, bounded to [1, max]; unset or zero means the default. */
export function clampPageSize(asked: number, max: number, fallback = 20): number {
  if (!Number.isFinite(asked) || asked <= 0) return Math.min(fallback, max)
  return Math.max(1, Math.min(Math.floor(asked), max))
}

/** Where a page of a newest-first list continues: below this (created_at, id). */
export interface PageCursor {
  createdAt: string
  id: string
}

const TOKEN_PREFIX = 'k1.'

export const encodePageToken = (cursor: PageCursor): string =>
  TOKEN_PREFIX + Buffer.from(`${cursor.createdAt}|${cursor.id}`).toString('base64url')

/** The cursor a token stands for; null for the first page, undefined when the token is not one we issued. */
export function decodePageToken(token: string): PageCursor | null | undefined {
  if (token === '') return null
  if (!token.startsWith(TOKEN_PREFIX)) return undefined
  const text = Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString()
  const [createdAt, id, ...rest] = text.split('|')
  if (rest.length > 0 || !createdAt || !id || Number.isNaN(Date.parse(createdAt))) return undefined
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined
  return { createdAt, id }
}
