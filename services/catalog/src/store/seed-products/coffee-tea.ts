import type { SeedProduct } from './types.js'

export const coffeeTea: readonly SeedProduct[] = [
  {
    id: 'ceramic-pour-over-dripper',
    name: 'Ceramic Pour-Over Dripper',
    description:
      'A spiral-ribbed porcelain cone for a clean, even extraction. Fits standard #2 paper filters and most mugs.',
    priceCents: 2800,
    category: 'coffee-tea',
    weightGrams: 480,
  },
  {
    id: 'cafe-espresso-cups-set-4',
    name: 'Café Espresso Cups, Set of 4',
    description:
      'Thick-walled stoneware demitasse cups with matching saucers, sized for a 3 oz double shot. They keep your espresso hot and the crema intact.',
    priceCents: 3200,
    category: 'coffee-tea',
    weightGrams: 1100,
  },
  {
    id: 'gooseneck-electric-kettle',
    name: 'Gooseneck Electric Kettle',
    description:
      'Precise temperature control from 135 to 212 °F and a slender spout for a steady pour. Holds its temperature for up to an hour.',
    priceCents: 8900,
    category: 'coffee-tea',
    weightGrams: 1300,
  },
  {
    id: 'conical-burr-grinder',
    name: 'Conical Burr Coffee Grinder',
    description:
      'Forty grind settings, from fine espresso to coarse French press, with low-speed steel burrs that keep beans cool. The timer doses the same amount every morning.',
    priceCents: 14900,
    category: 'coffee-tea',
    weightGrams: 2200,
  },
  {
    id: 'organic-sencha-green-tea',
    name: 'Organic Sencha Green Tea',
    description: 'First-flush loose leaf from Shizuoka, grassy and bright. A 100 g tin makes about 50 cups.',
    priceCents: 1400,
    category: 'coffee-tea',
    weightGrams: 150,
  },
  {
    id: 'house-blend-coffee-beans',
    name: 'House Blend Whole Bean Coffee, 12 oz',
    description:
      'A medium roast of Colombian and Ethiopian beans with notes of milk chocolate, cherry and toasted almond. Roasted weekly in small batches.',
    priceCents: 1650,
    category: 'coffee-tea',
    weightGrams: 380,
  },
]
