import { ConfigError } from '@microshop/chassis'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const BUS_URL = 'postgres://bus@127.0.0.1/bus'

describe('gateway config', () => {
  it('when GATEWAY_TRUST_PROXY is not set, then no proxy is trusted: the socket is the client', () => {
    expect(loadConfig({ BUS_URL }).trustProxy).toBe(false)
  })

  it('when GATEWAY_TRUST_PROXY is set, then it is off, every hop, a hop count or the proxies named', () => {
    const trust = (v: string) => loadConfig({ BUS_URL, GATEWAY_TRUST_PROXY: v }).trustProxy
    expect(trust('false')).toBe(false)
    expect(trust('true')).toBe(true)
    expect(trust('2')).toBe(2)
    expect(trust('10.0.0.0/8, 127.0.0.1,::1')).toEqual(['10.0.0.0/8', '127.0.0.1', '::1'])
  })

  it('when GATEWAY_TRUST_PROXY is not an address list, then start-up fails naming it', () => {
    const run = () => loadConfig({ BUS_URL, GATEWAY_TRUST_PROXY: 'the load balancer' })
    expect(run).toThrow(ConfigError)
    expect(run).toThrow(/GATEWAY_TRUST_PROXY/)
  })

  it('when the SSE caps are not set, then a few streams per user and a bound in all', () => {
    const config = loadConfig({ BUS_URL })
    expect([config.sseMaxPerUser, config.sseMaxTotal]).toEqual([5, 2_000])
  })
})
