import type { SeedProduct } from './types.js'

export const outdoor: readonly SeedProduct[] = [
  {
    id: 'ultralight-two-person-tent',
    name: 'Ultralight Two-Person Tent',
    description:
      'A freestanding, three-season tent that packs down to the size of a water bottle. Two doors, two vestibules and a fully taped rainfly keep you dry when the weather turns.',
    priceCents: 39500,
    category: 'outdoor',
    weightGrams: 1900,
  },
  {
    id: 'insulated-water-bottle-32oz',
    name: 'Insulated Water Bottle, 32 oz',
    description:
      'Double-wall vacuum insulation keeps drinks cold for 24 hours or hot for 12. Leakproof lid, dishwasher safe.',
    priceCents: 3500,
    category: 'outdoor',
    weightGrams: 520,
  },
  {
    id: 'led-camp-lantern',
    name: 'Rechargeable LED Camp Lantern',
    description:
      'Four brightness modes up to 500 lumens and a warm-white glow for the picnic table. Charges over USB-C and doubles as a power bank for your phone.',
    priceCents: 4200,
    category: 'outdoor',
    weightGrams: 380,
  },
  {
    id: 'trail-daypack-22l',
    name: 'Trail Daypack 22L',
    description:
      'A ventilated back panel, hip belt and hydration sleeve for long days on the trail. Made from recycled ripstop nylon.',
    priceCents: 8900,
    category: 'outdoor',
    weightGrams: 780,
  },
  {
    id: 'enamel-camp-mug',
    name: 'Enamel Camp Mug',
    description:
      'Classic speckled enamelware with a rolled rim. Equally at home on a camp stove or your desk.',
    priceCents: 1600,
    category: 'outdoor',
    weightGrams: 260,
  },
  {
    id: 'packable-nylon-hammock',
    name: 'Packable Nylon Hammock',
    description:
      'Parachute nylon that holds up to 400 lb and stuffs into its own attached pouch. Tree straps and carabiners included.',
    priceCents: 5400,
    category: 'outdoor',
    weightGrams: 560,
  },
]
