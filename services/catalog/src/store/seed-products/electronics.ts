import type { SeedProduct } from './types.js'

export const electronics: readonly SeedProduct[] = [
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
]
