// Seed data for the catalog service: the categories and products a fresh
// microshop starts with. Plain data only (no imports, no I/O) so it can be
// loaded by the store, by tests and by tooling alike.
//
// Every product has a matching image at
// services/gateway/public/images/products/<id>.svg.
//
// A few entries deliberately exercise search and escaping: an apostrophe in a
// name ("Chef's Knife"), non-ASCII letters ("Crème Brûlée", "Café"), an
// ampersand ("Cedar & Sage"), percent signs ("100% merino wool") and double
// quotes inside descriptions.

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

export const seedProducts: readonly SeedProduct[] = [
  // Kitchen
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

  // Coffee & Tea
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

  // Home
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

  // Outdoor
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

  // Electronics accessories
  {
    id: 'wireless-over-ear-headphones',
    name: 'Wireless Over-Ear Headphones',
    description:
      'Active noise cancelling with a "transparency" mode for when you need to hear the world. 40-hour battery life, memory-foam ear cushions and a folding travel case.',
    priceCents: 19900,
    category: 'electronics',
    weightGrams: 650,
  },
  {
    id: 'braided-usb-c-cable-2m',
    name: 'Braided USB-C Cable, 2 m',
    description: 'Double-braided nylon rated for 30,000 bends. Supports 100 W charging and 480 Mbps data.',
    priceCents: 1500,
    category: 'electronics',
    weightGrams: 80,
  },
  {
    id: 'wireless-charging-pad',
    name: 'Wireless Charging Pad',
    description:
      'A 15 W Qi2 charging pad wrapped in wool felt, with a non-slip base. Charges through most phone cases up to 5 mm thick.',
    priceCents: 2900,
    category: 'electronics',
    weightGrams: 180,
  },
  {
    id: 'power-bank-10000mah',
    name: 'Portable Power Bank, 10,000 mAh',
    description:
      'Slim enough for a jacket pocket, with USB-C in and out plus a USB-A port. Tops up most phones twice.',
    priceCents: 3900,
    category: 'electronics',
    weightGrams: 230,
  },
  {
    id: 'mini-bluetooth-speaker',
    name: 'Mini Bluetooth Speaker',
    description:
      'Surprisingly big sound from a speaker the size of a coaster. Waterproof, dustproof and good for 12 hours of music.',
    priceCents: 4900,
    category: 'electronics',
    weightGrams: 340,
  },
  {
    id: 'felt-laptop-sleeve-14in',
    name: 'Felt Laptop Sleeve, 14-Inch',
    description: 'Thick merino wool felt with a leather closure tab and a front pocket for your charger.',
    priceCents: 3900,
    category: 'electronics',
    weightGrams: 300,
  },

  // Stationery
  {
    id: 'dot-grid-notebook-a5',
    name: 'Dot Grid Notebook A5',
    description:
      'Lay-flat binding, 160 numbered pages of 100 gsm paper and two ribbon markers. Fountain-pen friendly, with very little ghosting.',
    priceCents: 1800,
    category: 'stationery',
    weightGrams: 340,
  },
  {
    id: 'brass-fountain-pen',
    name: 'Brass Fountain Pen',
    description:
      'A solid brass body that develops a warm patina over time, fitted with a smooth steel medium nib. Takes standard international cartridges or a converter.',
    priceCents: 6800,
    category: 'stationery',
    weightGrams: 180,
  },
  {
    id: 'pocket-memo-pads-3-pack',
    name: 'Pocket Memo Pads, 3-Pack',
    description: 'Kraft covers, ruled pages and a size that fits a back pocket.',
    priceCents: 450,
    category: 'stationery',
    weightGrams: 90,
  },
  {
    id: 'leather-desk-pad',
    name: 'Leather Desk Pad',
    description:
      'Vegetable-tanned leather that gives your mouse and pen a smooth surface and protects the desk beneath. Measures 31.5 × 15.7 inches.',
    priceCents: 5400,
    category: 'stationery',
    weightGrams: 900,
  },
  {
    id: 'undated-weekly-planner',
    name: 'Undated Weekly Planner',
    description:
      'Fifty-two undated weekly spreads, so you can start any Monday you like. Includes monthly overviews, habit trackers and a pocket for receipts.',
    priceCents: 2400,
    category: 'stationery',
    weightGrams: 420,
  },
  {
    id: 'washi-tape-set-8',
    name: 'Washi Tape Set of 8',
    description:
      'Eight rolls of Japanese paper tape in muted botanical prints. Tears by hand and peels off cleanly.',
    priceCents: 1100,
    category: 'stationery',
    weightGrams: 120,
  },

  // Apparel
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

  // Fitness
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
