import { join } from 'node:path'
import { bindGrpc, packageDir, runAsMain, startService } from '@microshop/chassis'
import { protoFiles, protoRoot } from '@microshop/contracts'
import { NotificationsServiceService } from '@microshop/contracts/notifications/v1/notifications'
import { createNotificationsHandlers } from './api/grpc.js'
import { createMailSender } from './app/mail-sender.js'
import { createSmtpTransport } from './app/mail-transport.js'
import { createMailbox } from './app/mailbox.js'
import { createNotifier } from './app/notifier.js'
import { loadConfig } from './config.js'
import { mailDomainOf } from './domain/message-id.js'
import { consumeNotifyingEvents } from './events/notification-consumer.js'
import { createMessageStore } from './store/message-store.js'

/** Composition root: config, store, the notifier, the mail sender and the consumer, handed to the chassis. */
export function startNotifications(
  env: Record<string, string | undefined> = process.env,
  opts = { handleSignals: true },
) {
  const config = loadConfig(env)
  return startService({
    name: 'notifications',
    config,
    migrations: join(packageDir(import.meta.url), 'src/store/migrations'),
    handleSignals: opts.handleSignals,
    async setup({ db, bus, log, onStop }) {
      const store = createMessageStore(db!)
      const notifier = createNotifier({
        store,
        shopUrl: config.shopUrl,
        mailDomain: mailDomainOf(config.mailFrom),
      })
      if (!config.smtpUrl) log.warn('SMTP_URL not set: emails are stored and marked sent, never delivered')
      const sender = createMailSender({
        db: db!,
        store,
        transport: config.smtpUrl
          ? createSmtpTransport({
              url: config.smtpUrl,
              from: config.mailFrom,
              timeoutMs: config.smtpTimeoutMs,
            })
          : undefined,
        intervalMs: config.sendIntervalMs,
        retry: { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs },
        log,
      })
      sender.start()
      onStop(sender.stop)
      if (bus) await consumeNotifyingEvents({ db: db!, bus, notifier, stored: sender.wake })
      else log.warn('BUS_URL not set: no event reaches notifications')
      return {
        grpc: [
          bindGrpc(
            NotificationsServiceService,
            createNotificationsHandlers(createMailbox({ store, maxPageSize: config.maxPageSize })),
          ),
        ],
        proto: { root: protoRoot, files: [protoFiles.notifications] },
      }
    },
  })
}

await runAsMain(import.meta.url, () => startNotifications())
