import { SluiceError } from "@sluice/core";
import { hasErrorCode } from "@sluice/core/adapter";

/** The command line could not be understood; the message says which argument and what to pass. */
export class UsageError extends SluiceError {
  override name = "UsageError";

  constructor(message: string) {
    super("CLI_USAGE", `${message}. Run \`sluice --help\` for the options.`);
  }
}

export const isUsageError = (error: unknown): error is UsageError => hasErrorCode(error, "CLI_USAGE", "UsageError");
