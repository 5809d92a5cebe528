import type { SeedProduct } from './types.js'

export const apparel: readonly SeedProduct[] = [
  {
    id: 'merino-crew-sweater',
    name: 'Merino Crew Sweater',
    description:
      'Knit from 100% merino wool that is soft against the skin and naturally odor-resistant. A relaxed fit that layers easily over a tee or under a jacket.',
    priceCents: 11800,
    category: 'apparel',
    weightGrams: 380,
  },
  {
    id: 'organic-cotton-tee',
    name: 'Organic Cotton Tee',
    description:
      'Heavyweight GOTS-certified organic cotton in a boxy fit that holds its shape wash after wash.',
    priceCents: 2800,
    category: 'apparel',
    weightGrams: 180,
  },
  {
    id: 'canvas-chore-jacket',
    name: 'Canvas Chore Jacket',
    description:
      'Sturdy 12 oz cotton duck with corozo buttons and three patch pockets. Stiff at first, it breaks in to fit you like nothing else.',
    priceCents: 16800,
    category: 'apparel',
    weightGrams: 1100,
  },
  {
    id: 'ribbed-wool-beanie',
    name: 'Ribbed Wool Beanie',
    description: 'A deep-cuff rib knit in soft wool. One size fits most.',
    priceCents: 3200,
    category: 'apparel',
    weightGrams: 100,
  },
  {
    id: 'merino-hiking-socks-2-pack',
    name: 'Merino Hiking Socks, 2-Pack',
    description:
      'A 70% merino, 30% nylon blend with cushioned soles and a seamless toe. Warm when wet and naturally odor-resistant.',
    priceCents: 2600,
    category: 'apparel',
    weightGrams: 150,
  },
  {
    id: 'waxed-canvas-tote',
    name: 'Waxed Canvas Tote',
    description:
      'Water-resistant waxed canvas with leather handles and a zip pocket inside. Big enough for a laptop, a market run or a weekend away.',
    priceCents: 7400,
    category: 'apparel',
    weightGrams: 650,
  },
]
