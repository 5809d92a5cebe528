import type { SeedProduct } from './types.js'

export const stationery: readonly SeedProduct[] = [
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
]
