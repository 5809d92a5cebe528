import { bindGrpc, defineService, runAsMain } from '@microshop/chassis'
import { jwksOf, protoFiles, protoRoot } from '@microshop/contracts'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { NotificationsServiceService } from '@microshop/contracts/notifications/v1/notifications'
import { createNotificationsHandlers } from './api/grpc.js'
import { createMailSender } from './app/mail-sender.js'
import { createSmtpTransport } from './app/mail-transport.js'
import { createMailbox } from './app/mailbox.js'
import { createNotifier } from './app/notifier.js'
import { loadConfig } from './config.js'
import { mailDomainOf } from './domain/message-id.js'
import { consumeNotifyingEvents } from './events/consumers.js'
import { messageStore } from './store/message-store.js'

/** Composition root: config, store, the notifier, the mail sender and the consumer, handed to the chassis. */
export const startNotifications = defineService({
  name: 'notifications',
  module: import.meta.url,
  config: loadConfig,
  database: true,
  events: true,
  peers: { identity: IdentityServiceService },
  accessTokens: ({ identity }) => jwksOf(identity),
  async setup({ config, db, events, log, clock, every, onStop, telemetry }) {
    const notifier = createNotifier({
      store: messageStore,
      shopUrl: config.shopUrl,
      mailDomain: mailDomainOf(config.mailFrom),
    })
    if (!config.smtpUrl) log.warn('SMTP_URL not set: emails are stored and marked sent, never delivered')
    const transport = config.smtpUrl
      ? createSmtpTransport({ url: config.smtpUrl, from: config.mailFrom, timeoutMs: config.smtpTimeoutMs })
      : undefined
    // registered before the sender, so closed after it stopped
    if (transport) onStop(() => transport.close())
    const sender = every(
      createMailSender({
        db,
        store: messageStore,
        transport,
        intervalMs: config.sendIntervalMs,
        retry: { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs },
        log,
        clock,
        telemetry,
      }),
    )
    await consumeNotifyingEvents(events, { notifier, stored: () => sender.wake() })
    return {
      grpc: [
        bindGrpc(
          NotificationsServiceService,
          createNotificationsHandlers(
            createMailbox({ db, store: messageStore, maxPageSize: config.maxPageSize }),
          ),
        ),
      ],
      proto: { root: protoRoot, files: [protoFiles.notifications] },
    }
  },
})

await runAsMain(import.meta.url, startNotifications)
