// The adapters' entry: what `@sluice/node`, `@sluice/fetch`, `@sluice/bulk` and other store
// adapters build on. Applications use `@sluice/core` (or `@sluice/node`) instead.
export type { ArrivalFigures, ArrivalPart } from "./arrival.js";
export { type Backoff, type BackoffOptions, backoffDelay, resolveBackoff } from "./backoff.js";
export { durationToMicros } from "./duration.js";
export { hasErrorCode } from "./errors/sluice-error.js";
export { type FailMode, type FailModeOptions, FailModeStore, type StoreFailureEvent } from "./fail-mode-store.js";
export {
  acquireScript,
  allScripts,
  cancelScript,
  pauseScript,
  releaseScript,
  resetScript,
} from "./generated/scripts.js";
export { checkPrefix, quotaKeys } from "./keys.js";
export { type MemoryLimiterOptions, StoreLimiter, type StoreLimiterOptions } from "./limiter.js";
export type { LuaScript } from "./lua-script.js";
export { BulkMetrics } from "./metrics.js";
export { MemoryStore } from "./model/memory-store.js";
export type { Priority } from "./quota.js";
export {
  type CheckedRedisLimiterOptions,
  checkRedisLimiterOptions,
  DAY_MS,
  optionOr,
  type RedisLimiterDefaults,
  type RedisLimiterOptions,
} from "./redis-limiter-options.js";
export { RedisStore, type RedisStoreOptions } from "./redis-store.js";
export { checkRules } from "./rules/check-rules.js";
export type { ConcurrencyOptions } from "./rules/concurrency.js";
export type { FixedWindowOptions } from "./rules/fixed-window.js";
export type { ConcurrencyRule, FixedWindowRule, SlidingWindowRule, TokenBucketRule } from "./rules/rule.js";
export type { LimitUsage, RuleKind, RuleSpec } from "./rules/rule-kind.js";
export { parseRuleId, ruleKindOf } from "./rules/rule-kinds.js";
export type { SlidingWindowOptions } from "./rules/sliding-window.js";
export type { TokenBucketOptions } from "./rules/token-bucket.js";
export { runScript, type ScriptClient } from "./script-client.js";
export type { HeadersLike } from "./server-answer.js";
export { sleep } from "./sleep.js";
export type {
  QuotaKeys,
  Store,
  StoreAcquire,
  StoreArrival,
  StoreCall,
  StoreCancel,
  StoreDecision,
  StoreLearned,
  StoreReport,
  StoreRequest,
} from "./store.js";
export { integer, invalid } from "./validate.js";
