import { SluiceError } from "@sluice/core";
import { hasErrorCode } from "@sluice/core/adapter";

/** Writing or syncing the output or failures file failed (disk full, permissions); the run stops. */
export class OutputWriteError extends SluiceError {
  override name = "OutputWriteError";
  readonly path: string;

  constructor(path: string, cause: unknown) {
    super(
      "BULK_OUTPUT_WRITE",
      `Could not write ${path}: ${cause instanceof Error ? cause.message : String(cause)}. Lines written so far are kept; fix the cause and run again to resume.`,
      { cause },
    );
    this.path = path;
  }
}

export const isOutputWriteError = (error: unknown): error is OutputWriteError =>
  hasErrorCode(error, "BULK_OUTPUT_WRITE", "OutputWriteError");
