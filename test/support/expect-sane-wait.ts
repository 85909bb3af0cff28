import { expect } from "vitest";
import { MAX_SERVER_WAIT_MS } from "../../packages/core/src/signals/cap-wait.js";

/** What every parser promises: `undefined` or a whole, finite, non-negative, capped wait. */
export function expectSaneWait(wait: number | undefined): void {
  if (wait === undefined) return;
  expect(Number.isFinite(wait)).toBe(true);
  expect(wait).toBeGreaterThanOrEqual(0);
  expect(wait).toBeLessThanOrEqual(MAX_SERVER_WAIT_MS);
}
