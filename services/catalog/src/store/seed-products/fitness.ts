import type { SeedProduct } from './types.js'

export const fitness: readonly SeedProduct[] = [
  {
    id: 'adjustable-dumbbells-pair',
    name: 'Adjustable Dumbbells (Pair)',
    description:
      'Turn the dial to go from 5 to 25 lb in seconds; each dumbbell replaces five pairs. Comes with a compact storage tray.',
    priceCents: 29900,
    category: 'fitness',
    weightGrams: 24500,
  },
  {
    id: 'cork-yoga-mat',
    name: 'Cork Yoga Mat',
    description:
      'Natural cork on a natural rubber base: grippier the more you sweat, and antimicrobial too. 6 mm thick with a cotton carry strap.',
    priceCents: 8900,
    category: 'fitness',
    weightGrams: 2300,
  },
  {
    id: 'resistance-band-set',
    name: 'Resistance Band Set',
    description:
      'Five latex-free loop bands from "extra light" to "extra heavy," with a mesh travel bag and an illustrated exercise guide.',
    priceCents: 2900,
    category: 'fitness',
    weightGrams: 600,
  },
  {
    id: 'speed-jump-rope',
    name: 'Speed Jump Rope',
    description: 'Ball-bearing aluminum handles and an adjustable coated steel cable.',
    priceCents: 1900,
    category: 'fitness',
    weightGrams: 220,
  },
  {
    id: 'foam-roller-18in',
    name: 'High-Density Foam Roller, 18-Inch',
    description:
      'A firm, textured EVA roller for loosening tight calves, quads and backs after a run. It will not lose its shape.',
    priceCents: 3400,
    category: 'fitness',
    weightGrams: 700,
  },
  {
    id: 'cast-iron-kettlebell-12kg',
    name: 'Cast Iron Kettlebell, 12 kg',
    description:
      'Single-piece cast iron with a smooth powder-coat handle for swings, snatches and goblet squats. A flat base keeps it steady on the floor.',
    priceCents: 6900,
    category: 'fitness',
    weightGrams: 12400,
  },
]
