import { CartErrors } from './errors.js'

export interface Money {
  amount: number
  currency: string
}

/** Whose cart a call reaches: the signed-in user's, or the anonymous one its token names. */
export type Owner = { kind: 'user'; userId: string } | { kind: 'anonymous'; token: string | undefined }

export interface CartLimits {
  maxQuantity: number
  maxLines: number
}

/** A line as the cart stores it: no price, prices always come from the catalog. */
export interface StoredLine {
  productId: string
  quantity: number
  addedAt: string
}

/** A cart as stored; an owner without a cart yet has one with an empty id and no lines. */
export interface StoredCart {
  id: string
  userId: string
  /** The anonymous cart's token, handed back only to the caller that presented or received it. */
  token: string
  updatedAt: string
  lines: StoredLine[]
}

export const emptyCart = (owner: Owner): StoredCart => ({
  id: '',
  userId: owner.kind === 'user' ? owner.userId : '',
  token: '',
  updatedAt: '',
  lines: [],
})

const MAX_PRODUCT_ID_LENGTH = 200
// control characters (NUL above all) cannot be a product id, and PostgreSQL text cannot hold NUL
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f]/

export function checkProductId(id: string): string {
  if (id.length === 0 || id.length > MAX_PRODUCT_ID_LENGTH || CONTROL.test(id))
    throw CartErrors.invalidProductId()
  return id
}

/** A quantity to add or set; `allowZero` for UpdateItem, where 0 removes the line. */
export function checkQuantity(quantity: number, limits: CartLimits, allowZero = false): number {
  const min = allowZero ? 0 : 1
  if (!Number.isInteger(quantity) || quantity < min || quantity > limits.maxQuantity)
    throw CartErrors.invalidQuantity(min, limits.maxQuantity)
  return quantity
}

/** Whether one more distinct product fits; a product already in the cart always does. */
export function checkRoomFor(lineCount: number, alreadyThere: boolean, limits: CartLimits): void {
  if (!alreadyThere && lineCount >= limits.maxLines) throw CartErrors.tooManyLines(limits.maxLines)
}
