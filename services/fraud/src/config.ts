import { ConfigError, databaseSettings, readConfig, schemas, setting, z } from '@microshop/chassis'

const cents = z.coerce.number().int().min(0)
const score = z.coerce.number().int().min(1).max(100)

// fraud emits and consumes no events: it reads no BUS_URL
export const fraudSettings = {
  ...databaseSettings,
  largeAmount: setting('FRAUD_LARGE_AMOUNT', cents.default(50_000)),
  veryLargeAmount: setting('FRAUD_VERY_LARGE_AMOUNT', cents.default(100_000)),
  velocityMaxPerHour: setting('FRAUD_VELOCITY_MAX_PER_HOUR', schemas.positiveInt.default(5)),
  newAccountHours: setting('FRAUD_NEW_ACCOUNT_HOURS', z.coerce.number().min(0).default(24)),
  reviewScore: setting('FRAUD_REVIEW_SCORE', score.default(50)),
  rejectScore: setting('FRAUD_REJECT_SCORE', score.default(80)),
  identityDeadlineMs: setting('FRAUD_IDENTITY_DEADLINE_MS', schemas.positiveInt.default(500)),
}

/** Reads the settings; the review score must stay below the reject score, or no payment would ever be reviewed. */
export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const config = readConfig('fraud', fraudSettings, env)
  if (config.reviewScore >= config.rejectScore)
    throw new ConfigError([
      `FRAUD_REVIEW_SCORE: must be below FRAUD_REJECT_SCORE (${config.rejectScore}) (got ${config.reviewScore})`,
    ])
  return config
}

export type FraudConfig = ReturnType<typeof loadConfig>
