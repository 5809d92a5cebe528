import { busSettings, databaseSettings, readConfig, setting, z } from '@microshop/chassis'

const milliseconds = z.coerce.number().int().min(0).max(86_400_000)

export const shippingSettings = {
  ...databaseSettings,
  // confirmed and cancelled orders arrive here; shipments' progress leaves from here
  ...busSettings,
  dispatchAfterMs: setting('SHIPPING_DISPATCH_AFTER_MS', milliseconds.default(10_000)),
  deliverAfterMs: setting('SHIPPING_DELIVER_AFTER_MS', milliseconds.default(20_000)),
  // multiplies both carrier delays: 0.01 turns the 20 s demo into 200 ms
  timeScale: setting('SHIPPING_TIME_SCALE', z.coerce.number().min(0).max(1_000).default(1)),
  tickMs: setting('SHIPPING_TICK_MS', z.coerce.number().int().min(10).max(60_000).default(500)),
}

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  readConfig('shipping', shippingSettings, env)

export type ShippingConfig = ReturnType<typeof loadConfig>
