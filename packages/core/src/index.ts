export type { ArrivalFigures, ArrivalPart } from "./arrival.js";
export type { Decision, Grant, LimitStatus } from "./decision.js";
export { type Duration, durationToMicros } from "./duration.js";
export { CostExceedsCapacityError, isCostExceedsCapacityError } from "./errors/cost-exceeds-capacity-error.js";
export { isQuotaExceededError, QuotaExceededError } from "./errors/quota-exceeded-error.js";
export { isSluiceError, SluiceError } from "./errors/sluice-error.js";
export { isStoreUnavailableError, StoreUnavailableError } from "./errors/store-unavailable-error.js";
export {
  acquireScript,
  allScripts,
  cancelScript,
  pauseScript,
  releaseScript,
  resetScript,
} from "./generated/scripts.js";
export { checkPrefix, quotaKeys } from "./keys.js";
export { createMemoryLimiter, Limiter, type MemoryLimiterOptions } from "./limiter.js";
export type { LuaScript } from "./lua-script.js";
export { MemoryStore } from "./model/memory-store.js";
export {
  type AcquireOptions,
  type Feedback,
  type FeedbackOptions,
  type Priority,
  Quota,
  type QuotaOptions,
  type QuotaState,
  type TryAcquireOptions,
} from "./quota.js";
export { RedisStore, type RedisStoreOptions } from "./redis-store.js";
export { type ConcurrencyOptions, concurrency } from "./rules/concurrency.js";
export { type FixedWindowOptions, fixedWindow } from "./rules/fixed-window.js";
export type { ConcurrencyRule, FixedWindowRule, Rule, SlidingWindowRule, TokenBucketRule } from "./rules/rule.js";
export { type SlidingWindowOptions, slidingWindow } from "./rules/sliding-window.js";
export { type TokenBucketOptions, tokenBucket } from "./rules/token-bucket.js";
export { runScript, type ScriptClient } from "./script-client.js";
export type { HeadersLike, ServerAnswer } from "./server-answer.js";
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
