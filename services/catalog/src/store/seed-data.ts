import { apparel } from './seed-products/apparel.js'
import { coffeeTea } from './seed-products/coffee-tea.js'
import { electronics } from './seed-products/electronics.js'
import { fitness } from './seed-products/fitness.js'
import { home } from './seed-products/home.js'
import { kitchen } from './seed-products/kitchen.js'
import { outdoor } from './seed-products/outdoor.js'
import { stationery } from './seed-products/stationery.js'
import type { SeedCategory, SeedProduct } from './seed-products/types.js'

// Seed data for the catalog service: the categories and products a fresh
// microshop starts with. Plain data only (no I/O) so it can be loaded by the
// store, by tests and by tooling alike; the products sit in seed-products/, one file per category.
//
// Every product has a matching image at
// services/gateway/public/images/products/<id>.svg.
//
// A few entries deliberately exercise search and escaping: an apostrophe in a
// name ("Chef's Knife"), non-ASCII letters ("Crème Brûlée", "Café"), an
// ampersand ("Cedar & Sage"), percent signs ("100% merino wool") and double
// quotes inside descriptions.

export type { SeedCategory, SeedProduct } from './seed-products/types.js'

export const seedCategories: readonly SeedCategory[] = [
  { id: 'kitchen', name: 'Kitchen' },
  { id: 'coffee-tea', name: 'Coffee & Tea' },
  { id: 'home', name: 'Home' },
  { id: 'outdoor', name: 'Outdoor' },
  { id: 'electronics', name: 'Electronics Accessories' },
  { id: 'stationery', name: 'Stationery' },
  { id: 'apparel', name: 'Apparel' },
  { id: 'fitness', name: 'Fitness' },
]

/** The products, category by category; their order is the order of `newest`. */
export const seedProducts: readonly SeedProduct[] = [
  ...kitchen,
  ...coffeeTea,
  ...home,
  ...outdoor,
  ...electronics,
  ...stationery,
  ...apparel,
  ...fitness,
]
