import { describe, expect, it } from 'vitest'
import type { StoredLine } from './cart.js'
import { mergeLines } from './merge.js'

const line = (productId: string, quantity: number, second = 0): StoredLine => ({
  productId,
  quantity,
  addedAt: `2025-01-01T00:00:${String(second).padStart(2, '0')}.000Z`,
})

const limits = { maxQuantity: 10, maxLines: 3 }
const asPairs = (lines: StoredLine[]) => lines.map((l) => [l.productId, l.quantity])

describe('mergeLines', () => {
  it('when both carts hold a product, then the quantities are summed and capped at the maximum', () => {
    const merged = mergeLines([line('mug', 4), line('lamp', 8)], [line('mug', 3), line('lamp', 5)], limits)
    expect(asPairs(merged)).toEqual([
      ['mug', 7],
      ['lamp', 10],
    ])
  })

  it('when the anonymous cart brings new products, then they join with their own added time', () => {
    const merged = mergeLines([line('mug', 1, 5)], [line('pen', 2, 9)], limits)
    expect(merged).toEqual([line('mug', 1, 5), line('pen', 2, 9)])
  })

  it('when new products do not all fit, then the oldest fill the room and the rest are left behind', () => {
    const merged = mergeLines(
      [line('mug', 1), line('lamp', 1)],
      [line('late', 1, 30), line('early', 1, 10), line('mug', 2, 20)],
      limits,
    )
    expect(asPairs(merged)).toEqual([
      ['mug', 3],
      ['lamp', 1],
      ['early', 1],
    ])
  })

  it('when the user has no lines, then the anonymous lines become the cart, each capped', () => {
    expect(asPairs(mergeLines([], [line('a', 12, 1), line('b', 2, 2)], limits))).toEqual([
      ['a', 10],
      ['b', 2],
    ])
  })

  it('when lines are merged, then the inputs are left unchanged', () => {
    const mine = [line('mug', 4)]
    const theirs = [line('mug', 3)]
    mergeLines(mine, theirs, limits)
    expect(mine).toEqual([line('mug', 4)])
    expect(theirs).toEqual([line('mug', 3)])
  })
})
