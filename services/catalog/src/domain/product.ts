import type { FieldError } from '@microshop/chassis/errors'

export interface Money {
  amount: number
  currency: string
}

export interface Product {
  id: string
  name: string
  description: string
  price: Money
  category: string
  imageUrl: string
  weightGrams: number
  updatedAt: string
}

export interface Category {
  id: string
  name: string
  productCount: number
}

export type ProductSort = 'name' | 'price_asc' | 'price_desc' | 'newest'

export const SUPPORTED_CURRENCIES = ['USD'] as const
export const MAX_PRICE_MINOR = 100_000_000
const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/
// a path on this shop (not `//host/…`: a protocol-relative URL is another site) or an https URL
const IMAGE_URL = /^(\/(?!\/)[\w\-./]+|https:\/\/[^\s]+)$/

/** PostgreSQL text cannot hold NUL: such input matches nothing and must not reach SQL, where it fails. */
export const hasNul = (text: string) => text.includes('\u0000')

export const imageUrlFor = (id: string) => `/images/products/${id}.svg`

/** Turns a name into an id: "Chef's Knife 8\"" → "chefs-knife-8". */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
}

/** Every reason a product cannot be stored, each naming its field. */
export function validateProduct(
  p: Omit<Product, 'updatedAt'>,
  knownCategories: ReadonlySet<string>,
): FieldError[] {
  const errors: FieldError[] = []
  if (!SLUG.test(p.id) || p.id.length > 80)
    errors.push({
      field: 'id',
      message: 'lowercase letters, digits and single dashes, at most 80 characters',
    })
  const name = p.name.trim()
  if (name.length < 2 || name.length > 200 || hasNul(name))
    errors.push({ field: 'name', message: 'between 2 and 200 characters, no NUL' })
  if (p.description.length > 4000 || hasNul(p.description))
    errors.push({ field: 'description', message: 'at most 4000 characters, no NUL' })
  if (!Number.isInteger(p.price.amount) || p.price.amount < 0 || p.price.amount > MAX_PRICE_MINOR)
    errors.push({ field: 'price.amount', message: `an integer number of cents from 0 to ${MAX_PRICE_MINOR}` })
  if (!(SUPPORTED_CURRENCIES as readonly string[]).includes(p.price.currency))
    errors.push({ field: 'price.currency', message: `one of ${SUPPORTED_CURRENCIES.join(', ')}` })
  if (!knownCategories.has(p.category)) errors.push({ field: 'category', message: 'not a known category' })
  if (p.imageUrl !== '' && (!IMAGE_URL.test(p.imageUrl) || hasNul(p.imageUrl)))
    errors.push({ field: 'imageUrl', message: 'a path starting with / or an https:// URL' })
  if (!Number.isInteger(p.weightGrams) || p.weightGrams < 0 || p.weightGrams > 1_000_000)
    errors.push({ field: 'weightGrams', message: 'an integer from 0 to 1000000' })
  return errors
}
