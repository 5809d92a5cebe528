/** Page size as asked, bounded to [1, max]; unset or zero means the default. */
export function clampPageSize(asked: number, max: number, fallback = 20): number {
  if (!Number.isFinite(asked) || asked <= 0) return Math.min(fallback, max)
  return Math.max(1, Math.min(Math.floor(asked), max))
}

const TOKEN_PREFIX = 'o1.'

/** An opaque token for "continue at this offset". */
export const encodePageToken = (offset: number): string =>
  TOKEN_PREFIX + Buffer.from(String(offset)).toString('base64url')

/** The offset a token stands for; undefined when the token is not one we issued. */
export function decodePageToken(token: string): number | undefined {
  if (token === '') return 0
  if (!token.startsWith(TOKEN_PREFIX)) return undefined
  const text = Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString()
  if (!/^\d{1,9}$/.test(text)) return undefined
  return Number(text)
}
