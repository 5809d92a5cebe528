import { randomUUID } from 'node:crypto'
import type { Db, Emit, Logger, Tx } from '@microshop/chassis'
import { InventoryErrors } from '../domain/errors.js'
import type { InventoryEvent } from '../domain/inventory-events.js'
import {
  decideReservation,
  isClosedUnsold,
  MAX_ORDER_ID_LENGTH,
  MAX_TTL_SECONDS,
  movementsOf,
  normaliseLines,
  type ReservationAction,
  type ReservationLine,
  type ReservationStatus,
  sameLines,
  transition,
} from '../domain/reservation.js'
import type { Reservation, ReservationStore } from '../store/reservation-store.js'
import type { StockStore } from '../store/stock-store.js'
import type { Ledger } from './ledger.js'

export interface ReservationsDeps {
  db: Db
  stock: StockStore
  reservations: ReservationStore
  ledger: Ledger
  /** Records events in the transaction of the change they describe (the outbox); once per transaction. */
  emit: Emit<InventoryEvent>
  defaultTtlSeconds: number
  log: Logger
}

export interface ReserveInput {
  orderId: string
  lines: readonly ReservationLine[]
  /** 0: the configured default. */
  ttlSeconds: number
}

export type Reservations = ReturnType<typeof createReservations>

function checkOrderId(orderId: string) {
  if (orderId.trim() === '' || orderId.length > MAX_ORDER_ID_LENGTH || orderId.includes('\0'))
    throw InventoryErrors.invalidRequest([
      { field: 'orderId', message: `1 to ${MAX_ORDER_ID_LENGTH} characters` },
    ])
}

/** Reservations: taken all or nothing, then committed, released, expired or returned, each exactly once. */
export function createReservations(deps: ReservationsDeps) {
  const { db, stock, reservations, ledger, log } = deps

  /** Moves a locked reservation on by an action, with its movements and events; returns its status after. */
  async function act(
    tx: Tx,
    reservation: Reservation,
    action: ReservationAction,
  ): Promise<ReservationStatus> {
    const step = transition(reservation.status, action)
    if (!step) {
      log.info(
        { orderId: reservation.orderId, status: reservation.status, action },
        'reservation left as it is',
      )
      return reservation.status
    }
    const events = await ledger.record(tx, movementsOf(reservation, step.movement))
    await reservations.setStatus(tx, reservation.id, step.next)
    if (step.next === 'expired')
      events.unshift({
        kind: 'ReservationExpired',
        orderId: reservation.orderId,
        reservationId: reservation.id,
      })
    await deps.emit(tx, events)
    log.info({ orderId: reservation.orderId, status: step.next, action }, 'reservation moved on')
    return step.next
  }

  /** Applies an action to the order's reservation inside tx (an event's inbox transaction). */
  async function actOnOrder(
    tx: Tx,
    orderId: string,
    action: ReservationAction,
  ): Promise<ReservationStatus | undefined> {
    const reservation = await reservations.lockByOrder(tx, orderId)
    if (!reservation) {
      log.warn({ orderId, action }, 'no reservation for the order; nothing to do')
      return undefined
    }
    return act(tx, reservation, action)
  }

  return {
    /** Holds every line or none; asking again for the same order returns the same reservation. */
    async reserve(input: ReserveInput): Promise<{ reservationId: string; expiresAt: Date }> {
      checkOrderId(input.orderId)
      const normalised = normaliseLines(input.lines)
      const ttlOk = Number.isInteger(input.ttlSeconds) && input.ttlSeconds >= 0
      const errors = [
        ...('errors' in normalised ? normalised.errors : []),
        ...(ttlOk && input.ttlSeconds <= MAX_TTL_SECONDS
          ? []
          : [{ field: 'ttlSeconds', message: `0 (the default) to ${MAX_TTL_SECONDS}` }]),
      ]
      if (errors.length > 0 || !('lines' in normalised)) throw InventoryErrors.invalidRequest(errors)
      const { lines } = normalised
      const ttlSeconds = input.ttlSeconds || deps.defaultTtlSeconds

      return db.tx(async (tx) => {
        const created = await reservations.insert(tx, {
          id: randomUUID(),
          orderId: input.orderId,
          status: 'active',
          ttlSeconds,
        })
        if (!created) {
          const existing = (await reservations.byOrder(tx, input.orderId))!
          if (existing.status !== 'active' && existing.status !== 'committed')
            throw InventoryErrors.reservationClosed(input.orderId, existing.status)
          if (!sameLines(existing.lines, lines)) throw InventoryErrors.reservationExists(input.orderId)
          return { reservationId: existing.id, expiresAt: existing.expiresAt }
        }
        const levels = await stock.lock(
          tx,
          lines.map((l) => l.productId),
        )
        const decision = decideReservation(levels, lines)
        // throwing rolls the reservation back with everything else: nothing is held
        if (!decision.ok) throw InventoryErrors.outOfStock(decision.shortages)
        await reservations.insertLines(tx, created.id, lines)
        const reservation = { id: created.id, orderId: input.orderId, lines }
        const lowStock = await ledger.record(tx, movementsOf(reservation, 'reserved'), levels)
        await deps.emit(tx, [
          {
            kind: 'StockReserved',
            orderId: input.orderId,
            reservationId: created.id,
            lines,
            expiresAt: created.expiresAt.toISOString(),
          },
          ...lowStock,
        ])
        return { reservationId: created.id, expiresAt: created.expiresAt }
      })
    },

    /**
     * Gives an uncommitted reservation back; true when the order holds no stock and never will (released or
     * expired). An order with no reservation yet gets a released one, so a late ReserveStock cannot take stock.
     */
    async release(orderId: string): Promise<boolean> {
      checkOrderId(orderId)
      return db.tx(async (tx) => {
        const tombstone = await reservations.insert(tx, {
          id: randomUUID(),
          orderId,
          status: 'released',
          ttlSeconds: 0,
        })
        if (tombstone) return true
        const reservation = (await reservations.lockByOrder(tx, orderId))!
        return isClosedUnsold(await act(tx, reservation, 'release'))
      })
    },

    /** PaymentSucceeded: the reserved stock is sold; a reservation already released or expired stays so. */
    commitPaid: (tx: Tx, orderId: string) => actOnOrder(tx, orderId, 'commit'),

    /** OrderCancelled: an active reservation is released, a committed one's stock returned. */
    cancelOrder: (tx: Tx, orderId: string) => actOnOrder(tx, orderId, 'cancel'),

    /** Expires one reservation past its time, if there is one no other replica is expiring; true when it did. */
    expireNext(): Promise<boolean> {
      return db.tx(async (tx) => {
        const reservation = await reservations.lockNextExpired(tx)
        return reservation !== undefined && (await act(tx, reservation, 'expire')) === 'expired'
      })
    },
  }
}
