import { pageTokens } from '@microshop/chassis/paging'

/** Page tokens of the product lists: "continue at this offset". */
export const offsetTokens = pageTokens<number>({
  prefix: 'o1.',
  write: String,
  read: (text) => (/^\d{1,9}$/.test(text) ? Number(text) : undefined),
})
