import { capWait } from "./cap-wait.js";

const SECONDS = /^\d+(?:\.\d+)?$/;

/**
 * `X-RateLimit-Reset-After` (Discord and others): fractional seconds until the window resets.
 * @example parseResetAfter("1.25") // 1250
 */
export function parseResetAfter(value: string | null | undefined): number | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  return SECONDS.test(text) ? capWait(Number(text) * 1000) : undefined;
}
