// The user's entry: what an application calls. What adapters and sibling packages need (the
// store interface, the scripts, key and validation helpers) is in `@sluice/core/adapter`.
export type { Attempt, Decision, Grant, LimitStatus } from "./decision.js";
export type { Duration } from "./duration.js";
export { CostExceedsCapacityError, isCostExceedsCapacityError } from "./errors/cost-exceeds-capacity-error.js";
export { isQuotaExceededError, QuotaExceededError } from "./errors/quota-exceeded-error.js";
export { type ErrorCode, isSluiceError, SluiceError } from "./errors/sluice-error.js";
export { isStoreUnavailableError, StoreUnavailableError } from "./errors/store-unavailable-error.js";
export { createMemoryLimiter, type Limiter } from "./limiter.js";
export type {
  AcquireOptions,
  Feedback,
  FeedbackOptions,
  Quota,
  QuotaOptions,
  QuotaState,
  TryAcquireOptions,
} from "./quota.js";
export { concurrency } from "./rules/concurrency.js";
export { fixedWindow } from "./rules/fixed-window.js";
export type { Rule } from "./rules/rule.js";
export { slidingWindow } from "./rules/sliding-window.js";
export { tokenBucket } from "./rules/token-bucket.js";
export type { ServerAnswer } from "./server-answer.js";
