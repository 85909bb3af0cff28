import { type QuotaOptions, slidingWindow } from "@sluice/core";

// One quota for every runtime: the Worker, the handler and the Node worker import these, so
// they spend one count. Sides that differ in the prefix, the name or the options do not share.
// (`@sluice/core` is a dependency of both `@sluice/upstash` and `@sluice/node`.)
export const PREFIX = "serverless-example";
export const QUOTA = "partner-api";
export const LIMIT = 10;
export const WINDOW_MS = 1000;
export const quotaOptions: QuotaOptions = { limits: [slidingWindow({ limit: LIMIT, window: WINDOW_MS })] };

/** The body of every answer of the Worker and the handler. */
export type Answer = { readonly admittedAt: number } | { readonly retryAfterMs: number };

/** `Retry-After` in whole seconds, rounded up: waiting that long is always enough. */
export const retryAfterSeconds = (retryAfterMs: number): string => String(Math.ceil(retryAfterMs / 1000));
