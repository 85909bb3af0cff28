/** Base class of every error Sluice throws; `code` is stable across versions. */
export class SluiceError extends Error {
  override name = "SluiceError";
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** True for any error thrown by Sluice. */
export const isSluiceError = (error: unknown): error is SluiceError => error instanceof SluiceError;
