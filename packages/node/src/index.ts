export {
  type AcquireOptions,
  type ConcurrencyRule,
  CostExceedsCapacityError,
  concurrency,
  createMemoryLimiter,
  type Decision,
  type Duration,
  type FixedWindowRule,
  fixedWindow,
  type Grant,
  isCostExceedsCapacityError,
  isQuotaExceededError,
  isSluiceError,
  isStoreUnavailableError,
  Limiter,
  type LimitStatus,
  Quota,
  QuotaExceededError,
  type QuotaOptions,
  type QuotaState,
  type Rule,
  type SlidingWindowRule,
  SluiceError,
  StoreUnavailableError,
  slidingWindow,
  type TokenBucketRule,
  type TryAcquireOptions,
  tokenBucket,
} from "@sluice/core";
export { type ReadStatusOptions, readStatus } from "./cli/read-status.js";
export type { RuleSpec } from "./cli/rule-spec.js";
export type {
  ArrivalReport,
  LimitReport,
  OtherKey,
  PauseReport,
  QuotaReport,
  RateLimitedEntry,
  StatusReport,
} from "./cli/status-report.js";
export { createLimiter, type LimiterOptions, type RedisLimiter } from "./create-limiter.js";
export type { FailMode, StoreFailureEvent } from "./fail-mode-store.js";
