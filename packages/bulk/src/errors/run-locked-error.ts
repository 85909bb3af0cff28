import { SluiceError } from "@sluice/core";
import { hasErrorCode } from "@sluice/core/adapter";

/** Another live process is writing the same output file; two writers would duplicate lines. */
export class RunLockedError extends SluiceError {
  override name = "RunLockedError";
  readonly lockPath: string;
  /** Process id recorded in the lock file. */
  readonly pid: number;

  constructor(lockPath: string, pid: number) {
    super(
      "BULK_RUN_LOCKED",
      `Process ${pid} is already running this bulk job (lock ${lockPath}); wait for it, stop it, or use another output path.`,
    );
    this.lockPath = lockPath;
    this.pid = pid;
  }
}

export const isRunLockedError = (error: unknown): error is RunLockedError =>
  hasErrorCode(error, "BULK_RUN_LOCKED", "RunLockedError");
