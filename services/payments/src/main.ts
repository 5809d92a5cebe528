import { bindGrpc, defineService, emitterOf, peer, runAsMain, serviceCounter } from '@microshop/chassis'
import { jwksOf, protoFiles, protoRoot } from '@microshop/contracts'
import { FraudServiceService } from '@microshop/contracts/fraud/v1/fraud'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { PaymentsServiceService } from '@microshop/contracts/payments/v1/payments'
import { createPaymentsHandlers } from './api/grpc.js'
import { createGetPayment } from './app/get-payment.js'
import { createPaymentMetrics } from './app/payment-metrics.js'
import { createPayments } from './app/payments.js'
import { createRiskCheck } from './app/risk-check.js'
import { createSettleSweeper } from './app/settle-sweeper.js'
import { createSimulatedProvider } from './app/simulated-provider.js'
import { createTokenizeCard } from './app/tokenize-card.js'
import { loadConfig } from './config.js'
import { consumeOrders } from './events/consumers.js'
import { toContractEvents } from './events/payment-events.js'
import { paymentStore } from './store/payment-store.js'
import { providerStore } from './store/provider-store.js'
import { tokenStore } from './store/token-store.js'

/** Composition root: config, stores, the fraud client behind its breaker, use cases, consumers and handlers. */
export const startPayments = defineService({
  name: 'payments',
  module: import.meta.url,
  config: loadConfig,
  database: true,
  events: true,
  peers: (config) => ({
    fraud: peer(FraudServiceService, {
      deadlineMs: config.fraudDeadlineMs,
      breaker: {
        consecutiveFailures: config.fraudBreakerFailures,
        halfOpenAfterMs: config.fraudBreakerHalfOpenMs,
      },
    }),
    identity: IdentityServiceService,
  }),
  accessTokens: ({ identity }) => jwksOf(identity),
  async setup({ config, db, events, peers, log, metrics, clock, every }) {
    const fallbacks = serviceCounter(
      metrics,
      'payments_fraud_fallback_total',
      'Payments decided by the fallback rule because fraud was unavailable, by outcome',
      ['outcome'],
    )
    const payments = createPayments({
      db,
      store: paymentStore,
      tokens: tokenStore,
      provider: createSimulatedProvider({ db, store: providerStore, slowDelayMs: config.slowCardDelayMs }),
      risk: createRiskCheck({
        fraud: peers.fraud,
        policy: {
          reviewMaxAmount: config.fraudReviewMaxAmount,
          fallbackMaxAmount: config.fraudFallbackMaxAmount,
        },
        blocklist: config.cardBlocklist,
        log,
        onFallback: (verdict) => fallbacks.inc({ outcome: verdict.approved ? 'approved' : 'failed' }),
      }),
      emit: createPaymentMetrics(metrics)(emitterOf(events, toContractEvents)),
      claimLeaseMs: config.claimLeaseMs,
      log,
    })
    await consumeOrders(events, { payments, concurrency: config.consumerConcurrency })
    every(
      createSettleSweeper({
        db,
        store: paymentStore,
        complete: payments.complete,
        intervalMs: config.sweepIntervalMs,
        graceMs: config.sweepGraceMs,
        log,
      }),
    )
    return {
      grpc: [
        bindGrpc(
          PaymentsServiceService,
          createPaymentsHandlers({
            tokenizeCard: createTokenizeCard({ db, tokens: tokenStore, clock }),
            getPayment: createGetPayment({ db, store: paymentStore }),
          }),
        ),
      ],
      proto: { root: protoRoot, files: [protoFiles.payments] },
    }
  },
})

await runAsMain(import.meta.url, startPayments)
