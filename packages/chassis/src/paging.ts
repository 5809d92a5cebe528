/** Page size as asked, bounded to [1, max]; unset or zero means the default. */
export function clampPageSize(asked: number | undefined, max: number, fallback = 20): number {
  if (asked === undefined || !Number.isFinite(asked) || asked <= 0) return Math.min(fallback, max)
  return Math.max(1, Math.min(Math.floor(asked), max))
}

/** Where a page starts: after this cursor, or at the beginning when `after` is undefined. */
export interface PageStart<C> {
  after: C | undefined
}

export interface PageTokens<C> {
  /** An opaque token for "continue after this cursor". */
  encode(cursor: C): string
  /** The start a token stands for ('' is the first page); undefined when the token is not one of ours. */
  decode(token: string): PageStart<C> | undefined
}

/**
 * The page tokens of one kind of list: `prefix` (e.g. `o1.`) tells its tokens from any other, `write` and
 * `read` turn a cursor into text and back (`read` answers undefined for text that is not a cursor).
 */
export function pageTokens<C>(opts: {
  prefix: string
  write(cursor: C): string
  read(text: string): C | undefined
}): PageTokens<C> {
  return {
    encode: (cursor) => opts.prefix + Buffer.from(opts.write(cursor)).toString('base64url'),
    decode(token) {
      if (token === '') return { after: undefined }
      if (!token.startsWith(opts.prefix)) return undefined
      const cursor = opts.read(Buffer.from(token.slice(opts.prefix.length), 'base64url').toString())
      return cursor === undefined ? undefined : { after: cursor }
    },
  }
}
