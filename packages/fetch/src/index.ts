export type { CacheStore } from "./cache/response-cache.js";
export { createFetch, type LimitedFetch } from "./create-fetch.js";
export {
  isNoCredentialAvailableError,
  NoCredentialAvailableError,
} from "./errors/no-credential-available-error.js";
export { isRequestTimeoutError, RequestTimeoutError } from "./errors/request-timeout-error.js";
export { isRetryAfterTooLongError, RetryAfterTooLongError } from "./errors/retry-after-too-long-error.js";
export { isUnmatchedRequestError, UnmatchedRequestError } from "./errors/unmatched-request-error.js";
export type {
  CacheErrorEvent,
  CacheHitEvent,
  ExhaustedEvent,
  FetchEvent,
  QuarantineEvent,
  RateLimitedEvent,
  RetryEvent,
  WaitEvent,
} from "./fetch-event.js";
export type { FetchStats } from "./fetch-stats.js";
export type {
  CredentialKey,
  CredentialPoolOptions,
  FetchOptions,
  ResponseCacheOptions,
  RetryOptions,
  RouteMatch,
  RouteOptions,
} from "./options.js";
