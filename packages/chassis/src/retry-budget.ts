/** gRPC's retry throttling (gRFC A6) with its usual figures: 10 tokens, 0.1 given back per success. */
export const RETRY_BUDGET = { maxTokens: 10, tokenRatio: 0.1 }

// thousandths of a token, as grpc-java counts them: ten successes give back exactly one failure
const SCALE = 1_000

/**
 * A token bucket shared by every call of one client: each failed attempt takes a token, each success gives
 * a tenth back, and retries are allowed only while more than half the tokens are left. A peer that keeps
 * failing is then tried once per call instead of once per allowed retry.
 */
export function createRetryBudget({ maxTokens, tokenRatio } = RETRY_BUDGET) {
  const max = maxTokens * SCALE
  const gain = Math.round(tokenRatio * SCALE)
  let tokens = max
  return {
    /** Counts a failed attempt; true when a retry may follow it. */
    failed(): boolean {
      tokens = Math.max(0, tokens - SCALE)
      return tokens > max / 2
    },
    succeeded() {
      tokens = Math.min(max, tokens + gain)
    },
  }
}

export type RetryBudget = ReturnType<typeof createRetryBudget>
