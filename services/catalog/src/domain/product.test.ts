import { describe, expect, it } from 'vitest'
import { MAX_PRICE_MINOR, type Product, slugify, validateProduct } from './product.js'

const categories = new Set(['kitchen', 'home'])

const valid = (): Omit<Product, 'updatedAt'> => ({
  id: 'walnut-board',
  name: 'Walnut Board',
  description: 'A board.',
  price: { amount: 4_500, currency: 'USD' },
  category: 'kitchen',
  imageUrl: '/images/products/walnut-board.svg',
  weightGrams: 900,
})

const fieldsOf = (patch: Partial<Omit<Product, 'updatedAt'>>) =>
  validateProduct({ ...valid(), ...patch }, categories).map((e) => e.field)

describe('validateProduct', () => {
  it('when every field is valid, then there is no error', () => {
    expect(validateProduct(valid(), categories)).toEqual([])
  })

  it('when the id is not a slug, then the id is named', () => {
    for (const id of [
      '',
      'Walnut',
      'walnut board',
      'walnut--board',
      '-walnut',
      'walnut-',
      'café',
      'a'.repeat(81),
    ])
      expect(fieldsOf({ id }), id).toEqual(['id'])
    expect(fieldsOf({ id: 'a'.repeat(80) })).toEqual([])
  })

  it('when the name is too short or too long, then the name is named', () => {
    for (const name of ['', 'x', '   x   ', 'n'.repeat(201)])
      expect(fieldsOf({ name }), name).toEqual(['name'])
    expect(fieldsOf({ name: 'ab' })).toEqual([])
    expect(fieldsOf({ name: 'n'.repeat(200) })).toEqual([])
  })

  it('when the description is over 4000 characters, then the description is named', () => {
    expect(fieldsOf({ description: 'd'.repeat(4001) })).toEqual(['description'])
    expect(fieldsOf({ description: 'd'.repeat(4000) })).toEqual([])
    expect(fieldsOf({ description: '' })).toEqual([])
  })

  it('when the price is negative, fractional or too large, then price.amount is named', () => {
    for (const amount of [-1, 1.5, MAX_PRICE_MINOR + 1, Number.NaN])
      expect(fieldsOf({ price: { amount, currency: 'USD' } }), String(amount)).toEqual(['price.amount'])
    expect(fieldsOf({ price: { amount: 0, currency: 'USD' } })).toEqual([])
    expect(fieldsOf({ price: { amount: MAX_PRICE_MINOR, currency: 'USD' } })).toEqual([])
  })

  it('when the currency is not supported, then price.currency is named', () => {
    for (const currency of ['', 'usd', 'EUR', 'USDX'])
      expect(fieldsOf({ price: { amount: 100, currency } }), currency).toEqual(['price.currency'])
  })

  it('when the category is unknown, then the category is named', () => {
    expect(fieldsOf({ category: 'garden' })).toEqual(['category'])
    expect(fieldsOf({ category: '' })).toEqual(['category'])
    expect(fieldsOf({ category: 'home' })).toEqual([])
  })

  it('when the image url is neither a path nor https, then imageUrl is named', () => {
    for (const imageUrl of [
      'javascript:alert(1)',
      'http://example.com/a.png',
      'images/a.svg',
      '/a b.svg',
      'https://',
      '//169.254.169.254/latest/meta-data',
    ])
      expect(fieldsOf({ imageUrl }), imageUrl).toEqual(['imageUrl'])
    for (const imageUrl of ['', '/images/products/a.svg', 'https://cdn.example.com/a.png'])
      expect(fieldsOf({ imageUrl }), imageUrl).toEqual([])
  })

  it('when the weight is negative, fractional or too large, then weightGrams is named', () => {
    for (const weightGrams of [-1, 2.5, 1_000_001])
      expect(fieldsOf({ weightGrams }), String(weightGrams)).toEqual(['weightGrams'])
    expect(fieldsOf({ weightGrams: 0 })).toEqual([])
    expect(fieldsOf({ weightGrams: 1_000_000 })).toEqual([])
  })

  it('when a text field holds a NUL character, then that field is named', () => {
    expect(fieldsOf({ name: 'Walnut\u0000Board' })).toEqual(['name'])
    expect(fieldsOf({ description: 'a\u0000b' })).toEqual(['description'])
    expect(fieldsOf({ imageUrl: 'https://cdn.example.com/a\u0000.png' })).toEqual(['imageUrl'])
  })

  it('when several fields are wrong, then every one is reported at once', () => {
    const errors = validateProduct(
      {
        ...valid(),
        id: 'Bad Id',
        name: '',
        price: { amount: -5, currency: 'EUR' },
        category: 'nope',
        weightGrams: -1,
      },
      categories,
    )
    expect(errors.map((e) => e.field).sort()).toEqual(
      ['category', 'id', 'name', 'price.amount', 'price.currency', 'weightGrams'].sort(),
    )
    for (const e of errors) expect(e.message.length).toBeGreaterThan(0)
  })
})

describe('slugify', () => {
  it('when the name has an apostrophe, then it is dropped, not turned into a dash', () => {
    expect(slugify("Chef's Knife")).toBe('chefs-knife')
    expect(slugify('Chef’s Knife')).toBe('chefs-knife')
  })

  it('when the name has accents, then they are removed', () => {
    expect(slugify('Crème Brûlée Torch Set')).toBe('creme-brulee-torch-set')
    expect(slugify('Café Espresso Cups')).toBe('cafe-espresso-cups')
  })

  it('when the name has punctuation and spaces, then runs become single dashes, none at the ends', () => {
    expect(slugify('Chef\'s Knife 8"')).toBe('chefs-knife-8')
    expect(slugify('  Cedar & Sage -- Soy Candle!!  ')).toBe('cedar-sage-soy-candle')
    expect(slugify('Portable Power Bank, 10,000 mAh')).toBe('portable-power-bank-10-000-mah')
  })

  it('when the name is long, then the slug is at most 80 characters', () => {
    expect(slugify('word '.repeat(40)).length).toBeLessThanOrEqual(80)
  })

  it('when a name is slugified, then the result is a valid product id', () => {
    for (const name of ["Chef's Knife, 8-Inch", 'Crème Brûlée', 'Ünïcödé ☕ Mug', 'A/B (c) 100%'])
      expect(fieldsOf({ id: slugify(name) }), name).toEqual([])
  })

  it('when the name has no letters or digits, then the slug is empty', () => {
    expect(slugify('☕ — !!')).toBe('')
  })
})
