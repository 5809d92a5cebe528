import { AppError } from '@microshop/chassis/errors'

export const NotificationsErrors = {
  invalidPageToken: () =>
    new AppError(
      'invalid_argument',
      'NOTIFICATIONS_INVALID_PAGE_TOKEN',
      'page token is not one this service issued',
      {
        fields: [{ field: 'pageToken', message: 'unknown or malformed page token' }],
      },
    ),
}
