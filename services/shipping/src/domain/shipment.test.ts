import { describe, expect, it } from 'vitest'
import {
  carrierSchedule,
  isCancellable,
  nextCarrierStep,
  nextStepAt,
  trackingNumberFrom,
} from './shipment.js'

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms)
const timing = { dispatchAfterMs: 10_000, deliverAfterMs: 20_000, timeScale: 1 }

describe('carrierSchedule', () => {
  it('when an order is confirmed, then it is dispatched 10 s and delivered 20 s later by default', () => {
    expect(carrierSchedule(at(0), timing)).toEqual({ dispatchDueAt: at(10_000), deliverDueAt: at(20_000) })
  })

  it('when a time scale is set, then both delays are scaled', () => {
    expect(carrierSchedule(at(0), { ...timing, timeScale: 0.01 })).toEqual({
      dispatchDueAt: at(100),
      deliverDueAt: at(200),
    })
  })

  it('when delivery is set sooner than dispatch, then it still comes after dispatch', () => {
    const s = carrierSchedule(at(0), { dispatchAfterMs: 5_000, deliverAfterMs: 1_000, timeScale: 1 })
    expect(s.deliverDueAt).toEqual(at(5_000))
  })
})

describe('nextCarrierStep', () => {
  const plan = { dispatchDueAt: at(10), deliverDueAt: at(20) }

  it('when a created shipment is due, then it is dispatched; before that, nothing happens', () => {
    expect(nextCarrierStep({ ...plan, status: 'created' }, at(9))).toBeUndefined()
    expect(nextCarrierStep({ ...plan, status: 'created' }, at(10))).toBe('dispatch')
  })

  it('when a dispatched shipment is due, then it is delivered', () => {
    expect(nextCarrierStep({ ...plan, status: 'dispatched' }, at(19))).toBeUndefined()
    expect(nextCarrierStep({ ...plan, status: 'dispatched' }, at(20))).toBe('deliver')
  })

  it('when a shipment is delivered or cancelled, then the carrier is done with it', () => {
    expect(nextCarrierStep({ ...plan, status: 'cancelled' }, at(99))).toBeUndefined()
    expect(nextCarrierStep({ ...plan, status: 'delivered' }, at(99))).toBeUndefined()
    expect(nextStepAt({ ...plan, status: 'cancelled' })).toBeNull()
    expect(nextStepAt({ ...plan, status: 'created' })).toEqual(at(10))
    expect(nextStepAt({ ...plan, status: 'dispatched' })).toEqual(at(20))
  })
})

describe('isCancellable', () => {
  it('when the parcel has left, then the shipment cannot be cancelled', () => {
    expect(isCancellable('created')).toBe(true)
    expect(isCancellable('dispatched')).toBe(false)
    expect(isCancellable('delivered')).toBe(false)
  })
})

describe('trackingNumberFrom', () => {
  it('when given random bytes, then it makes MS and 12 unambiguous characters', () => {
    const n = trackingNumberFrom(Uint8Array.from({ length: 12 }, (_, i) => i * 21))
    expect(n).toMatch(/^MS[0-9A-HJ-NP-Z]{12}$/)
    expect(trackingNumberFrom(new Uint8Array(12))).toBe('MS000000000000')
  })
})

describe('carrierSchedule of further parcels', () => {
  it('when an order ships in parcels, then each further one leaves and arrives a fifth of the dispatch delay later', () => {
    expect(carrierSchedule(at(0), timing, 1)).toEqual({ dispatchDueAt: at(12_000), deliverDueAt: at(22_000) })
    expect(carrierSchedule(at(0), timing, 2)).toEqual({ dispatchDueAt: at(14_000), deliverDueAt: at(24_000) })
  })
})
