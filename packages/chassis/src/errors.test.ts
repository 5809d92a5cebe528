import { Metadata, type ServiceError, status } from '@grpc/grpc-js'
import { describe, expect, it } from 'vitest'
import { AppError, CommonErrors, type ErrorKind, toProblem } from './errors.js'
import { fromGrpcError, toGrpcError } from './grpc-errors.js'

/** What a grpc-js client receives for the status a server sent. */
const asReceived = (sent: ReturnType<typeof toGrpcError>): ServiceError =>
  Object.assign(new Error(`${sent.code} ${sent.details}`), {
    code: sent.code!,
    details: sent.details!,
    metadata: sent.metadata ?? new Metadata(),
  })

const received = (code: status, details = 'upstream said no'): ServiceError =>
  Object.assign(new Error(details), { code, details, metadata: new Metadata() })

const kinds: Array<[ErrorKind, status, number]> = [
  ['invalid_argument', status.INVALID_ARGUMENT, 400],
  ['not_found', status.NOT_FOUND, 404],
  ['already_exists', status.ALREADY_EXISTS, 409],
  ['conflict', status.ABORTED, 409],
  ['failed_precondition', status.FAILED_PRECONDITION, 422],
  ['unauthenticated', status.UNAUTHENTICATED, 401],
  ['permission_denied', status.PERMISSION_DENIED, 403],
  ['resource_exhausted', status.RESOURCE_EXHAUSTED, 429],
  ['unavailable', status.UNAVAILABLE, 503],
  ['deadline_exceeded', status.DEADLINE_EXCEEDED, 503],
  ['internal', status.INTERNAL, 500],
]

describe('AppError across gRPC', () => {
  it.each(kinds)(
    'when a %s error crosses gRPC, then code, kind, message and retryable survive',
    (kind, grpcCode) => {
      const sent = new AppError(kind, `TEST_${kind.toUpperCase()}`, `the ${kind} message`)
      const onTheWire = toGrpcError(sent)
      expect(onTheWire.code).toBe(grpcCode)
      expect(onTheWire.details).toBe(`the ${kind} message`)
      expect(onTheWire.metadata?.get('x-error-code')).toEqual([`TEST_${kind.toUpperCase()}`])
      const back = fromGrpcError(asReceived(onTheWire), 'peer')
      expect(back).toBeInstanceOf(AppError)
      expect(back.kind).toBe(kind)
      expect(back.code).toBe(`TEST_${kind.toUpperCase()}`)
      expect(back.message).toBe(`the ${kind} message`)
      expect(back.retryable).toBe(sent.retryable)
    },
  )

  it('when the field errors and retryable flag are set, then they arrive unchanged', () => {
    const fields = [
      { field: 'price.amount', message: 'an integer, «ünïcode» ok' },
      { field: 'name', message: 'required' },
    ]
    const sent = new AppError('conflict', 'ORDERS_VERSION_CONFLICT', 'try again', { fields, retryable: true })
    const back = fromGrpcError(asReceived(toGrpcError(sent)), 'orders')
    expect(back.fields).toEqual(fields)
    expect(back.retryable).toBe(true)
    expect(back.kind).toBe('conflict')
  })

  it('when an error is not retryable by kind, then it arrives not retryable', () => {
    const back = fromGrpcError(asReceived(toGrpcError(new AppError('not_found', 'X_NOT_FOUND', 'no'))), 'x')
    expect(back.retryable).toBe(false)
    expect(back.fields).toEqual([])
  })

  it('when a plain Error is thrown, then it becomes a bare INTERNAL that reveals nothing', () => {
    const secret = new Error('connect ECONNREFUSED postgres://admin:hunter2@db/catalog')
    const onTheWire = toGrpcError(secret)
    expect(onTheWire.code).toBe(status.INTERNAL)
    expect(onTheWire.details).toBe('internal error')
    expect(JSON.stringify(onTheWire.metadata?.toJSON())).not.toContain('hunter2')
    const back = fromGrpcError(asReceived(onTheWire), 'catalog')
    expect(back.code).toBe('INTERNAL')
    expect(back.kind).toBe('internal')
    expect(back.message).not.toContain('hunter2')
  })

  it('when a non-Error is thrown, then it becomes INTERNAL too', () => {
    for (const thrown of ['boom', 42, undefined, { message: 'secret' }]) {
      const onTheWire = toGrpcError(thrown)
      expect(onTheWire.code).toBe(status.INTERNAL)
      expect(onTheWire.details).toBe('internal error')
    }
  })
})

describe('AppError stacks', () => {
  it('when the caller is at fault (4xx), then the error has no stack frames; when we are (5xx), it has them', () => {
    const frames = (e: Error) => (e.stack ?? '').split('\n').filter((l) => l.trim().startsWith('at ')).length
    const limit = Error.stackTraceLimit
    expect(frames(new AppError('not_found', 'NOPE', 'no such thing'))).toBe(0)
    expect(frames(new AppError('invalid_argument', 'BAD', 'bad'))).toBe(0)
    expect(frames(new AppError('internal', 'BROKEN', 'broken'))).toBeGreaterThan(0)
    expect(frames(new AppError('unavailable', 'DOWN', 'down'))).toBeGreaterThan(0)
    // the process' own setting is left as it was
    expect(Error.stackTraceLimit).toBe(limit)
    expect(frames(new Error('plain'))).toBeGreaterThan(0)
  })
})

describe('fromGrpcError without our metadata', () => {
  it('when the deadline passed, then it is a retryable timeout naming the peer', () => {
    const err = fromGrpcError(received(status.DEADLINE_EXCEEDED), 'catalog')
    expect(err.kind).toBe('deadline_exceeded')
    expect(err.code).toBe('UPSTREAM_TIMEOUT')
    expect(err.retryable).toBe(true)
    expect(err.message).toContain('catalog')
  })

  it('when the peer is unreachable or the call was cancelled, then it is a retryable unavailable', () => {
    for (const code of [status.UNAVAILABLE, status.CANCELLED]) {
      const err = fromGrpcError(received(code), 'inventory')
      expect(err.kind).toBe('unavailable')
      expect(err.code).toBe('UPSTREAM_UNAVAILABLE')
      expect(err.retryable).toBe(true)
      expect(err.message).toContain('inventory')
    }
  })

  it('when any other status arrives bare, then it is internal and keeps the cause', () => {
    const raw = received(status.UNKNOWN, 'stack trace from a foreign server')
    const err = fromGrpcError(raw, 'fraud')
    expect(err.kind).toBe('internal')
    expect(err.code).toBe('INTERNAL')
    expect(err.message).not.toContain('stack trace')
    expect(err.cause).toBe(raw)
  })
})

describe('toProblem', () => {
  it('when an AppError reaches the edge, then it is RFC 9457 with a stable code and no stack', () => {
    const problem = toProblem(
      CommonErrors.invalid('check the form', [{ field: 'email', message: 'not an email' }]),
      '/api/auth/register',
    )
    expect(problem).toEqual({
      type: 'https://microshop.dev/problems/invalid-argument',
      title: 'Invalid request',
      status: 400,
      detail: 'check the form',
      code: 'INVALID_ARGUMENT',
      instance: '/api/auth/register',
      errors: [{ field: 'email', message: 'not an email' }],
    })
    expect(JSON.stringify(problem)).not.toMatch(/stack|at .*\.ts/)
  })

  it.each(kinds)('when the kind is %s, then the HTTP status is the one for it', (kind, _grpc, http) => {
    const problem = toProblem(new AppError(kind, 'SOME_CODE', 'm'))
    expect(problem.status).toBe(http)
    expect(problem.title.length).toBeGreaterThan(0)
    expect(problem.type).toBe('https://microshop.dev/problems/some-code')
    expect(problem).not.toHaveProperty('errors')
    expect(problem).not.toHaveProperty('instance')
  })

  it('when an unknown error reaches the edge, then it is a 500 that reveals nothing', () => {
    const problem = toProblem(new TypeError("Cannot read properties of undefined (reading 'secretKey')"))
    expect(problem).toEqual({
      type: 'https://microshop.dev/problems/internal',
      title: 'Internal error',
      status: 500,
      detail: 'internal error',
      code: 'INTERNAL',
    })
  })
})
