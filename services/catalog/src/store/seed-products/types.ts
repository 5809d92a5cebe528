export interface SeedCategory {
  /** URL-safe slug, e.g. 'kitchen'. */
  id: string
  name: string
}

export interface SeedProduct {
  /** Stable slug id: lowercase letters, digits and dashes; unique. */
  id: string
  name: string
  /** One to three sentences, as on a real shop's listing. */
  description: string
  /** Price in USD cents (integer minor units). */
  priceCents: number
  /** A SeedCategory id. */
  category: string
  /** Shipping weight in grams, packaging included. */
  weightGrams: number
}
