import { bindGrpc, defineService, peer, runAsMain } from '@microshop/chassis'
import { protoFiles, protoRoot } from '@microshop/contracts'
import { FraudServiceService } from '@microshop/contracts/fraud/v1/fraud'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { createFraudHandlers } from './api/grpc.js'
import { createAccountLookup } from './app/accounts.js'
import { createScorePayment } from './app/score-payment.js'
import { loadConfig } from './config.js'
import { scoreStore } from './store/score-store.js'

/** Composition root: config, store, identity client, the scoring use case and its handler. No events. */
export const startFraud = defineService({
  name: 'fraud',
  module: import.meta.url,
  config: loadConfig,
  database: true,
  peers: (config) => ({
    identity: peer(IdentityServiceService, { deadlineMs: config.identityDeadlineMs }),
  }),
  setup({ config, db, peers, log, clock }) {
    const score = createScorePayment({
      db,
      store: scoreStore,
      accounts: createAccountLookup({ identity: peers.identity, log, clock }),
      thresholds: {
        largeAmount: config.largeAmount,
        veryLargeAmount: config.veryLargeAmount,
        velocityMaxPerHour: config.velocityMaxPerHour,
        newAccountMs: config.newAccountHours * 3_600_000,
        reviewAt: config.reviewScore,
        rejectAt: config.rejectScore,
      },
      log,
    })
    return {
      grpc: [bindGrpc(FraudServiceService, createFraudHandlers(score))],
      proto: { root: protoRoot, files: [protoFiles.fraud] },
    }
  },
})

await runAsMain(import.meta.url, startFraud)
