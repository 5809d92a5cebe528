import { join } from 'node:path'
import { bindGrpc, packageDir, runAsMain, serviceCounter, startService } from '@microshop/chassis'
import { protoFiles, protoRoot } from '@microshop/contracts'
import { FraudServiceService } from '@microshop/contracts/fraud/v1/fraud'
import { PaymentsServiceService } from '@microshop/contracts/payments/v1/payments'
import { createPaymentsHandlers } from './api/grpc.js'
import { createGetPayment } from './app/get-payment.js'
import { createPayments } from './app/payments.js'
import { createRiskCheck } from './app/risk-check.js'
import { startSettleSweeper } from './app/settle-sweeper.js'
import { createSimulatedProvider } from './app/simulated-provider.js'
import { createTokenizeCard } from './app/tokenize-card.js'
import { loadConfig } from './config.js'
import { subscribeToOrders } from './events/order-consumers.js'
import { paymentEvents } from './events/payment-events.js'
import { createPaymentStore } from './store/payment-store.js'
import { createProviderStore } from './store/provider-store.js'
import { createTokenStore } from './store/token-store.js'

/** Composition root: config, stores, the fraud client behind its breaker, use cases, consumers and handlers. */
export function startPayments(
  env: Record<string, string | undefined> = process.env,
  opts = { handleSignals: true },
) {
  const config = loadConfig(env)
  return startService({
    name: 'payments',
    config,
    migrations: join(packageDir(import.meta.url), 'src/store/migrations'),
    handleSignals: opts.handleSignals,
    async setup({ db, bus, outbox, log, metrics, client, onStop }) {
      const store = createPaymentStore(db!)
      const tokens = createTokenStore(db!)
      const fallbacks = serviceCounter(
        metrics,
        'payments_fraud_fallback_total',
        'Payments decided by the fallback rule because fraud was unavailable, by outcome',
        ['outcome'],
      )
      const fraud = client('fraud', FraudServiceService, {
        deadlineMs: config.fraudDeadlineMs,
        breaker: {
          consecutiveFailures: config.fraudBreakerFailures,
          halfOpenAfterMs: config.fraudBreakerHalfOpenMs,
        },
      })
      const payments = createPayments({
        store,
        tokens,
        provider: createSimulatedProvider({
          store: createProviderStore(db!),
          slowDelayMs: config.slowCardDelayMs,
        }),
        risk: createRiskCheck({
          fraud,
          deadlineMs: config.fraudDeadlineMs,
          policy: {
            reviewMaxAmount: config.fraudReviewMaxAmount,
            fallbackMaxAmount: config.fraudFallbackMaxAmount,
          },
          blocklist: config.cardBlocklist,
          log,
          onFallback: (verdict) => fallbacks.inc({ outcome: verdict.approved ? 'approved' : 'failed' }),
        }),
        events: paymentEvents,
        append: (tx, events) => outbox!.append(tx, events),
        claimLeaseMs: config.claimLeaseMs,
        log,
      })
      if (bus)
        await subscribeToOrders({ bus, db: db!, payments, log, concurrency: config.consumerConcurrency })
      else log.warn('no BUS_URL: orders will not be charged')
      const sweeper = startSettleSweeper({
        store,
        complete: payments.complete,
        intervalMs: config.sweepIntervalMs,
        graceMs: config.sweepGraceMs,
        log,
      })
      onStop(() => sweeper.stop())
      return {
        grpc: [
          bindGrpc(
            PaymentsServiceService,
            createPaymentsHandlers({
              tokenizeCard: createTokenizeCard({ tokens, clock: () => new Date() }),
              getPayment: createGetPayment({ store }),
            }),
          ),
        ],
        proto: { root: protoRoot, files: [protoFiles.payments] },
      }
    },
  })
}

await runAsMain(import.meta.url, () => startPayments())
