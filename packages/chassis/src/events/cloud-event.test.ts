import { describe, expect, it } from 'vitest'
import { defineEvent, partitionOf, toCloudEvent } from './cloud-event.js'

const text = {
  encode: (m: string) => ({ finish: () => new TextEncoder().encode(m) }),
  decode: (b: Uint8Array) => new TextDecoder().decode(b),
}

describe('cloud events', () => {
  it('when an event type is not named <service>.<EventName>.v<N>, then it is refused', () => {
    expect(() => defineEvent('catalog.ProductUpdated', text)).toThrow(/not named/)
    expect(() => defineEvent('Catalog.productUpdated.v1', text)).toThrow(/not named/)
    expect(defineEvent('catalog.ProductUpdated.v2', text).name).toBe('catalog.ProductUpdated.v2')
  })

  it('when an event is enveloped, then it gets an id, a time and the source, and keeps its payload', () => {
    const Said = defineEvent('test.Said.v1', text)
    const event = toCloudEvent('/microshop/test', Said.create('greeting-1', 'hello'))
    expect(event).toMatchObject({ specversion: '1.0', source: '/microshop/test', type: 'test.Said.v1' })
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(Date.parse(event.time)).not.toBeNaN()
    expect(Said.decode(event)).toBe('hello')
    expect(() => defineEvent('test.Other.v1', text).decode(event)).toThrow(/cannot decode/)
  })

  it('when an extension clashes with a CloudEvents attribute or is badly named, then it is refused', () => {
    const base = { type: 'test.Said.v1', subject: 's', data: new Uint8Array() }
    expect(() => toCloudEvent('/t', { ...base, extensions: { subject: 'x' } })).toThrow(/extension/)
    expect(() => toCloudEvent('/t', { ...base, extensions: { 'Bad-Name': 'x' } })).toThrow(/extension/)
    expect(() => toCloudEvent('/t', { ...base, subject: '' })).toThrow(/subject/)
  })

  it('when a subject is partitioned, then the answer never changes: stored positions depend on it', () => {
    expect(['s0', 's1', 'product-42', 'order-7'].map((s) => partitionOf(s, 8))).toEqual([6, 1, 5, 3])
  })
})
