import type { SeedProduct } from './types.js'

export const kitchen: readonly SeedProduct[] = [
  {
    id: 'chefs-knife-8in',
    name: "Chef's Knife, 8-Inch",
    description:
      'A forged high-carbon stainless blade with a full tang and a comfortable pakkawood handle. Holds a keen edge through daily chopping, slicing and dicing.',
    priceCents: 8900,
    category: 'kitchen',
    weightGrams: 420,
  },
  {
    id: 'cast-iron-skillet-10in',
    name: 'Cast Iron Skillet, 10-Inch',
    description:
      'Pre-seasoned with flaxseed oil and ready to sear, bake and braise. Goes from stovetop to oven to campfire, and only gets better with use.',
    priceCents: 4500,
    category: 'kitchen',
    weightGrams: 2700,
  },
  {
    id: 'creme-brulee-torch-set',
    name: 'Crème Brûlée Torch Set',
    description:
      'A refillable butane torch with an adjustable flame and safety lock, packed with four porcelain ramekins. Caramelize sugar, toast meringue or char peppers in seconds.',
    priceCents: 3400,
    category: 'kitchen',
    weightGrams: 650,
  },
  {
    id: 'walnut-cutting-board',
    name: 'Walnut End-Grain Cutting Board',
    description:
      'End-grain American black walnut is gentle on knife edges and hides everyday wear. Finished with food-safe mineral oil and beeswax.',
    priceCents: 7900,
    category: 'kitchen',
    weightGrams: 2100,
  },
  {
    id: 'linen-tea-towels-set-3',
    name: 'Linen Tea Towels, Set of 3',
    description: 'Stonewashed European flax that dries glassware lint-free and softens with every wash.',
    priceCents: 2400,
    category: 'kitchen',
    weightGrams: 300,
  },
  {
    id: 'stainless-mixing-bowls',
    name: 'Nesting Stainless Mixing Bowls',
    description:
      'Three brushed stainless steel bowls (1.5, 3 and 5 quarts) with non-slip silicone bases. They nest neatly to save cupboard space.',
    priceCents: 3900,
    category: 'kitchen',
    weightGrams: 1400,
  },
]
