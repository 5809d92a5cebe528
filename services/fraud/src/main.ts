import { join } from 'node:path'
import { bindGrpc, packageDir, runAsMain, startService } from '@microshop/chassis'
import { protoFiles, protoRoot } from '@microshop/contracts'
import { FraudServiceService } from '@microshop/contracts/fraud/v1/fraud'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { createFraudHandlers } from './api/grpc.js'
import { createAccountLookup } from './app/accounts.js'
import { createScorePayment } from './app/score-payment.js'
import { loadConfig } from './config.js'
import { createScoreStore } from './store/score-store.js'

/** Composition root: config, store, identity client, the scoring use case and its handler. */
export function startFraud(
  env: Record<string, string | undefined> = process.env,
  opts = { handleSignals: true },
) {
  const config = loadConfig(env)
  return startService({
    name: 'fraud',
    config,
    migrations: join(packageDir(import.meta.url), 'src/store/migrations'),
    handleSignals: opts.handleSignals,
    setup({ db, log, client }) {
      const accounts = createAccountLookup({
        identity: client('identity', IdentityServiceService, { deadlineMs: config.identityDeadlineMs }),
        log,
        clock: () => new Date(),
      })
      const score = createScorePayment({
        store: createScoreStore(db!),
        accounts,
        blocklist: config.cardBlocklist,
        thresholds: {
          largeAmount: config.largeAmount,
          veryLargeAmount: config.veryLargeAmount,
          velocityMaxPerHour: config.velocityMaxPerHour,
          newAccountMs: config.newAccountHours * 3_600_000,
          reviewAt: config.reviewScore,
          rejectAt: config.rejectScore,
        },
      })
      return {
        grpc: [bindGrpc(FraudServiceService, createFraudHandlers(score))],
        proto: { root: protoRoot, files: [protoFiles.fraud] },
      }
    },
  })
}

await runAsMain(import.meta.url, () => startFraud())
