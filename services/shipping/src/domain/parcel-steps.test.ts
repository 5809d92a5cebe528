import { describe, expect, it } from 'vitest'
import { moveParcels } from './parcel-steps.js'
import type { Shipment } from './shipment.js'

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms)

describe('moveParcels', () => {
  const at0 = at(0)
  const parcel = (n: number, status: Shipment['status'], due: { dispatch: number; deliver: number }) =>
    ({
      id: `s${n}`,
      orderId: 'o1',
      parcelNumber: n,
      parcelCount: 2,
      status,
      dispatchDueAt: at(due.dispatch),
      deliverDueAt: at(due.deliver),
      createdAt: at0,
    }) as Shipment

  it('when only the first parcel is due, then only it moves', () => {
    const { moved, events } = moveParcels(
      [
        parcel(1, 'created', { dispatch: 10, deliver: 20 }),
        parcel(2, 'created', { dispatch: 12, deliver: 22 }),
      ],
      at(10),
    )
    expect(moved.map((s) => [s.parcelNumber, s.status])).toEqual([[1, 'dispatched']])
    expect(events.map((e) => e.kind)).toEqual(['ShipmentDispatched'])
  })

  it('when the parcels arrive one after the other, then only the last delivery says none remain', () => {
    const first = moveParcels(
      [
        parcel(1, 'dispatched', { dispatch: 10, deliver: 20 }),
        parcel(2, 'dispatched', { dispatch: 12, deliver: 22 }),
      ],
      at(20),
    )
    expect(first.events).toEqual([
      expect.objectContaining({ kind: 'ShipmentDelivered', parcelsRemaining: 1 }),
    ])
    const last = moveParcels([...first.moved, parcel(2, 'dispatched', { dispatch: 12, deliver: 22 })], at(22))
    expect(last.events).toEqual([expect.objectContaining({ kind: 'ShipmentDelivered', parcelsRemaining: 0 })])
  })

  it('when both parcels arrive in one step, then the first tells one remains and the second none', () => {
    const { events } = moveParcels(
      [
        parcel(1, 'dispatched', { dispatch: 10, deliver: 20 }),
        parcel(2, 'dispatched', { dispatch: 12, deliver: 22 }),
      ],
      at(30),
    )
    expect(events.map((e) => (e.kind === 'ShipmentDelivered' ? e.parcelsRemaining : -1))).toEqual([1, 0])
  })

  it('when a parcel was cancelled, then it is not waited for', () => {
    const { events } = moveParcels(
      [
        parcel(1, 'dispatched', { dispatch: 10, deliver: 20 }),
        parcel(2, 'cancelled', { dispatch: 12, deliver: 22 }),
      ],
      at(20),
    )
    expect(events).toEqual([expect.objectContaining({ kind: 'ShipmentDelivered', parcelsRemaining: 0 })])
  })
})
