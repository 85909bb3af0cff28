import type { Cluster, Redis } from "ioredis";
import { maskSecrets } from "./mask-secrets.js";
import { readStatus } from "./read-status.js";
import { createClient, lastErrorOf } from "./redis-connection.js";
import type { SourceOptions } from "./status-options.js";
import type { StatusReport } from "./status-report.js";

type Where = Pick<SourceOptions, "url" | "cluster" | "prefix">;

/** Reads through one connection, opened on first use and again after a failure. */
export class StatusSource {
  readonly #options: Where;
  #client: Redis | Cluster | undefined;

  constructor(options: Where) {
    this.#options = options;
  }

  async read(): Promise<StatusReport> {
    try {
      if (this.#client === undefined) {
        this.#client = createClient(this.#options);
        await this.#client.connect();
      }
      return await readStatus(this.#client, { prefix: this.#options.prefix });
    } catch (error) {
      const cause = this.#client && lastErrorOf(this.#client);
      this.close();
      throw cause && error instanceof Error && /Connection is closed/.test(error.message) ? cause : error;
    }
  }

  close(): void {
    this.#client?.disconnect();
    this.#client = undefined;
  }
}

/** Why a read failed and what to check, passwords masked. */
export const readFailure = (error: unknown, target: string, secrets: readonly string[]): string =>
  maskSecrets(
    `Could not read the status from ${target}: ${(error instanceof Error ? error.message : String(error)).replace(/\.$/, "")}. Check \`--url\` or \`--cluster\`, and that Redis is up.`,
    secrets,
  );
