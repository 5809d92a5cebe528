/** Page size as asked, bounded to [1, max]; unset or zero means the default. */
export function clampPageSize(asked: number, max: number, fallback = 20): number {
  if (!Number.isFinite(asked) || asked <= 0) return Math.min(fallback, max)
  return Math.max(1, Math.min(Math.floor(asked), max))
}

const TOKEN_PREFIX = 'm1.'

/** An opaque token for "continue with messages older than this one". */
export const encodePageToken = (seq: number): string =>
  TOKEN_PREFIX + Buffer.from(String(seq)).toString('base64url')

/** The position a token stands for: undefined for the first page, null when the token is not one we issued. */
export function decodePageToken(token: string): number | undefined | null {
  if (token === '') return undefined
  if (!token.startsWith(TOKEN_PREFIX)) return null
  const text = Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString()
  return /^\d{1,15}$/.test(text) ? Number(text) : null
}
