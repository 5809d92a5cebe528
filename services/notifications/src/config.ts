import { busSettings, databaseSettings, readConfig, setting, z } from '@microshop/chassis'

const milliseconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

export const notificationsSettings = {
  ...databaseSettings,
  // the events customers are told about arrive here
  ...busSettings,
  // without it, emails are stored and marked sent with a log line, never delivered
  smtpUrl: setting(
    'SMTP_URL',
    z
      .string()
      .regex(/^smtps?:\/\/.+/, 'expected an smtp:// or smtps:// URL')
      .optional(),
  ),
  mailFrom: setting(
    'NOTIFICATIONS_MAIL_FROM',
    z.string().min(3).default('microshop <no-reply@microshop.local>'),
  ),
  shopUrl: setting('NOTIFICATIONS_SHOP_URL', z.url().default('http://localhost:8080')),
  sendIntervalMs: setting('NOTIFICATIONS_SEND_INTERVAL_MS', milliseconds(10, 60_000).default(500)),
  retryBaseMs: setting('NOTIFICATIONS_RETRY_BASE_MS', milliseconds(10, 3_600_000).default(1_000)),
  retryMaxMs: setting('NOTIFICATIONS_RETRY_MAX_MS', milliseconds(10, 86_400_000).default(60_000)),
  smtpTimeoutMs: setting('NOTIFICATIONS_SMTP_TIMEOUT_MS', milliseconds(100, 120_000).default(5_000)),
  maxPageSize: setting('NOTIFICATIONS_MAX_PAGE_SIZE', z.coerce.number().int().min(1).max(500).default(100)),
}

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  readConfig('notifications', notificationsSettings, env)

export type NotificationsConfig = ReturnType<typeof loadConfig>
