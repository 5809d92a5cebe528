import { describe, expect, it } from 'vitest'
import { inheritedEnv } from './service-env.js'

const launcherEnv = {
  PATH: '/usr/bin',
  HOME: '/root',
  LC_ALL: 'C',
  OTEL_TRACES_SAMPLER: 'always_on',
  AWS_SECRET_ACCESS_KEY: 'not-for-services',
  MICROSHOP_ADMIN_PASSWORD: 'admin-secret',
  ORDERS_FINGERPRINT_KEY: 'orders-secret',
  ORDERS_MAX_PENDING_PER_USER: '3',
  GATEWAY_RATE_LIMIT_LOGIN: '100',
  DATABASE_URL: 'postgres://someone@elsewhere/db',
  BUS_URL: 'postgres://bus:pw@127.0.0.1/bus',
  GRPC_INSECURE: 'true',
}

describe('what a service inherits of the launcher environment', () => {
  it("when a service starts, then it gets the system's basics and its own settings, never another's or the shell's secrets", () => {
    expect(inheritedEnv('gateway', launcherEnv)).toEqual({
      PATH: '/usr/bin',
      HOME: '/root',
      LC_ALL: 'C',
      OTEL_TRACES_SAMPLER: 'always_on',
      GATEWAY_RATE_LIMIT_LOGIN: '100',
    })
    expect(inheritedEnv('orders', launcherEnv)).toMatchObject({
      ORDERS_FINGERPRINT_KEY: 'orders-secret',
      ORDERS_MAX_PENDING_PER_USER: '3',
    })
    expect(inheritedEnv('orders', launcherEnv)).not.toHaveProperty('MICROSHOP_ADMIN_PASSWORD')
    expect(inheritedEnv('identity', launcherEnv)).toMatchObject({ MICROSHOP_ADMIN_PASSWORD: 'admin-secret' })
    for (const service of ['identity', 'orders', 'cart', 'console'])
      for (const name of ['AWS_SECRET_ACCESS_KEY', 'DATABASE_URL', 'BUS_URL', 'GRPC_INSECURE'])
        expect(inheritedEnv(service, launcherEnv)).not.toHaveProperty(name)
  })
})
