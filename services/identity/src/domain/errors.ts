import { AppError, type FieldError } from '@microshop/chassis/errors'
import { retryIn } from './login-lockout.js'

const fieldList = (fields: FieldError[]) => [...new Set(fields.map((f) => f.field))].join(', ')

export const IdentityErrors = {
  invalidRegistration: (fields: FieldError[]) =>
    new AppError('invalid_argument', 'IDENTITY_INVALID_REGISTRATION', `check ${fieldList(fields)}`, {
      fields,
    }),
  invalidProfile: (fields: FieldError[]) =>
    new AppError('invalid_argument', 'IDENTITY_INVALID_PROFILE', `check ${fieldList(fields)}`, { fields }),
  invalidCredentials: () =>
    new AppError('unauthenticated', 'IDENTITY_INVALID_CREDENTIALS', 'wrong email or password'),
  userBlocked: () =>
    new AppError('permission_denied', 'IDENTITY_USER_BLOCKED', 'this account is blocked; contact support'),
  loginLocked: (until: Date, now: Date) =>
    new AppError(
      'resource_exhausted',
      'IDENTITY_LOGIN_LOCKED',
      `too many failed sign-ins for this account; try again ${retryIn(until, now)} (after ${until.toISOString()})`,
      // an automated client cannot act before the lock ends
      {
        retryable: false,
        retryAfterMs: Math.max(0, until.getTime() - now.getTime()),
        fields: [{ field: 'email', message: `locked until ${until.toISOString()}` }],
      },
    ),
  refreshInvalid: () =>
    new AppError(
      'unauthenticated',
      'IDENTITY_REFRESH_INVALID',
      'the refresh token is not valid or has expired; sign in again',
    ),
  refreshReused: () =>
    new AppError(
      'unauthenticated',
      'IDENTITY_REFRESH_REUSED',
      'this refresh token was already used, so its session was ended; sign in again',
    ),
  notYourAccount: () =>
    new AppError(
      'permission_denied',
      'IDENTITY_NOT_YOUR_ACCOUNT',
      "another user's account is not yours to read",
    ),
  userTokenRequired: (service: string) =>
    new AppError(
      'permission_denied',
      'IDENTITY_USER_TOKEN_REQUIRED',
      `${service} reads a user only with that user's forwarded access token`,
    ),
  userNotFound: (id: string) =>
    new AppError('not_found', 'IDENTITY_USER_NOT_FOUND', `no user with id "${id}"`),
}
