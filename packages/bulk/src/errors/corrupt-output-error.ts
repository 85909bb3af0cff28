import { SluiceError } from "@sluice/core";
import { hasErrorCode } from "@sluice/core/adapter";

/**
 * A complete line in the middle of an output or failures file is not one this package wrote
 * (not JSON, or without a string `key`). The run refuses to guess what is finished.
 */
export class CorruptOutputError extends SluiceError {
  override name = "CorruptOutputError";
  readonly path: string;
  /** 1-based line number of the first bad line. */
  readonly line: number;

  constructor(path: string, line: number, cause?: unknown) {
    super(
      "BULK_CORRUPT_OUTPUT",
      `Line ${line} of ${path} is not a bulk-run line; fix or remove it (or use another output path) and run again.`,
      { cause },
    );
    this.path = path;
    this.line = line;
  }
}

export const isCorruptOutputError = (error: unknown): error is CorruptOutputError =>
  hasErrorCode(error, "BULK_CORRUPT_OUTPUT", "CorruptOutputError");
