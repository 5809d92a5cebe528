import type { SeedProduct } from './types.js'

export const home: readonly SeedProduct[] = [
  {
    id: 'linen-throw-pillow-cover',
    name: 'Linen Throw Pillow Cover',
    description: 'Garment-washed linen with a hidden zipper. Fits an 18 × 18 inch insert (sold separately).',
    priceCents: 3600,
    category: 'home',
    weightGrams: 350,
  },
  {
    id: 'ceramic-table-lamp',
    name: 'Ceramic Table Lamp',
    description:
      'A hand-glazed stoneware base topped with a natural linen drum shade. Each glaze is slightly different, so no two lamps are quite alike.',
    priceCents: 12900,
    category: 'home',
    weightGrams: 3100,
  },
  {
    id: 'cedar-sage-soy-candle',
    name: 'Cedar & Sage Soy Candle',
    description:
      'Hand-poured soy wax with a cotton wick in a reusable amber glass jar. Burns cleanly for about 50 hours.',
    priceCents: 2200,
    category: 'home',
    weightGrams: 450,
  },
  {
    id: 'herringbone-wool-throw',
    name: 'Herringbone Wool Throw',
    description:
      'Woven in Scotland from 100% lambswool in a classic herringbone, finished with twisted fringe. Warm enough for winter evenings, light enough to leave on the sofa all year.',
    priceCents: 14500,
    category: 'home',
    weightGrams: 1600,
  },
  {
    id: 'stoneware-planter',
    name: 'Stoneware Planter with Saucer',
    description:
      'A matte speckled planter with a drainage hole and matching saucer, for 6-inch nursery pots.',
    priceCents: 3400,
    category: 'home',
    weightGrams: 1800,
  },
  {
    id: 'oak-wall-clock',
    name: 'Minimal Oak Wall Clock',
    description:
      'Solid white oak with blackened steel hands and a silent sweep movement. No ticking, just time.',
    priceCents: 5900,
    category: 'home',
    weightGrams: 900,
  },
]
