import { hasErrorCode, SluiceError } from "./sluice-error.js";

/** The shared store (Redis) failed or did not answer within `timeout`, and `failMode` is `"closed"`. */
export class StoreUnavailableError extends SluiceError {
  override name = "StoreUnavailableError";

  constructor(reason: string, options?: ErrorOptions) {
    super(
      "STORE_UNAVAILABLE",
      `The quota store is unavailable (${reason}); the request was not admitted. Check Redis, or choose failMode "open" or "local".`,
      options,
    );
  }
}

export const isStoreUnavailableError = (error: unknown): error is StoreUnavailableError =>
  hasErrorCode(error, "STORE_UNAVAILABLE", "StoreUnavailableError");
